package io.csrflow.scheduler.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The fleet page: one self-contained HTML document that draws its charts from {@code /v1/fleet}. */
@Path("/")
public class FleetPage {
    private final byte[] page;

    FleetPage() {
        try (InputStream in = FleetPage.class.getResourceAsStream("/web/fleet.html")) {
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public byte[] root() {
        return page;
    }

    @GET
    @Path("fleet")
    @Produces(MediaType.TEXT_HTML)
    public byte[] fleet() {
        return page;
    }
}
