package io.csrflow.scheduler.http;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.csrflow.events.Identity;
import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.query.CertificateFilter;
import io.csrflow.scheduler.query.CertificateKind;
import io.csrflow.scheduler.query.CertificatePage;
import io.csrflow.scheduler.query.CertificateView;
import io.csrflow.scheduler.query.FleetSummary;

/**
 * The inventory over HTTP: a filtered, paged list in identity order, one identity, and the fleet
 * summary behind the fleet page (filtered by namespace, ServiceAccount and pod if asked).
 * {@code scope=local} limits an answer to this replica's partitions (what replicas ask each other).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CertificatesResource {
    static final int MAX_LIMIT = 1000;
    /** A Pod name: a DNS-1123 subdomain. */
    private static final Pattern POD_NAME = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_POD_NAME = 253;

    private final InventoryQueries queries;

    CertificatesResource(InventoryQueries queries) {
        this.queries = queries;
    }

    @GET
    @Path("/certificates")
    public CertificatePage list(@QueryParam("signer") String signer, @QueryParam("node") String node,
            @QueryParam("namespace") String namespace, @QueryParam("serviceAccount") String serviceAccount,
            @QueryParam("pod") String pod, @QueryParam("kind") String kind,
            @QueryParam("expiringWithin") String expiringWithin, @QueryParam("status") String status,
            @QueryParam("after") String after, @QueryParam("limit") @DefaultValue("100") String limit,
            @QueryParam("scope") String scope) {
        CertificateFilter filter = new CertificateFilter(blankToNull(signer), blankToNull(node), namespace(namespace),
                serviceAccount(serviceAccount), pod(pod), kind(kind),
                expiringWithin == null ? null : duration("expiringWithin", expiringWithin), status(status));
        return queries.list(filter, blankToNull(after), limit(limit), local(scope));
    }

    @GET
    @Path("/certificates/{identity: .+}")
    public CertificateView one(@PathParam("identity") String identity, @QueryParam("scope") String scope) {
        try {
            Identity.parse(identity);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("'" + identity + "' is not an identity: expected signerName|commonName, "
                    + "e.g. kubernetes.io/kube-apiserver-client-kubelet|system:node:worker-1, or "
                    + "signerName@namespace/serviceAccount|name, e.g. "
                    + "csrflow.io/workload-serving@my-namespace/default|my-svc.my-namespace.svc (" + e.getMessage() + ")");
        }
        return queries.get(identity, local(scope))
                .orElseThrow(() -> new NotFoundException("no certificate tracked for identity '" + identity + "'"));
    }

    @GET
    @Path("/fleet")
    public FleetSummary fleet(@QueryParam("namespace") String namespace,
            @QueryParam("serviceAccount") String serviceAccount, @QueryParam("pod") String pod,
            @QueryParam("scope") String scope) {
        return queries.summary(new CertificateFilter(null, null, namespace(namespace), serviceAccount(serviceAccount),
                pod(pod), null, null, null), local(scope));
    }

    @ServerExceptionMapper
    Response badRequest(BadRequestException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    Response notFound(NotFoundException e) {
        return error(404, e.getMessage());
    }

    @ServerExceptionMapper
    Response notReady(InventoryQueries.NotReadyException e) {
        return error(503, e.getMessage());
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    private static boolean local(String scope) {
        if (scope == null || scope.equals("fleet")) {
            return false;
        }
        if (scope.equals("local")) {
            return true;
        }
        throw new BadRequestException("scope must be 'local' or 'fleet', got '" + scope + "'");
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + value + "'");
    }

    private static CertificateStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return CertificateStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("status must be one of scheduled, due, overdue, expired; got '" + value + "'");
        }
    }

    /** Go-style durations as kubectl users write them (90m, 72h, 7d), or ISO-8601 (PT72H). */
    static Duration duration(String name, String value) {
        String v = value.trim();
        try {
            if (v.startsWith("P") || v.startsWith("p")) {
                return positive(name, value, Duration.parse(v));
            }
            if (v.length() > 1) {
                long amount = Long.parseLong(v.substring(0, v.length() - 1));
                switch (v.charAt(v.length() - 1)) {
                    case 's': return positive(name, value, Duration.ofSeconds(amount));
                    case 'm': return positive(name, value, Duration.ofMinutes(amount));
                    case 'h': return positive(name, value, Duration.ofHours(amount));
                    case 'd': return positive(name, value, Duration.ofDays(amount));
                    default: break;
                }
            }
        } catch (NumberFormatException | java.time.format.DateTimeParseException | ArithmeticException e) {
            // answered below
        }
        throw new BadRequestException(name + " must be a duration such as 90m, 72h, 7d or PT72H; got '" + value + "'");
    }

    private static Duration positive(String name, String value, Duration d) {
        if (d.isNegative()) {
            throw new BadRequestException(name + " must not be negative; got '" + value + "'");
        }
        return d;
    }

    /** A Namespace name or nothing; anything else cannot name a namespace, so it is a mistake worth saying. */
    private static String namespace(String value) {
        return value == null || value.isBlank() ? null : validName(() -> Identity.requireNamespace(value));
    }

    private static String serviceAccount(String value) {
        return value == null || value.isBlank() ? null : validName(() -> Identity.requireServiceAccount(value));
    }

    private static String pod(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_POD_NAME || !POD_NAME.matcher(value).matches()) {
            throw new BadRequestException("pod must be a DNS subdomain (lower-case letters, digits, '-' and '.', at "
                    + "most 253 characters), got '" + value + "'");
        }
        return value;
    }

    private static CertificateKind kind(String value) {
        return value == null || value.isBlank() ? null
                : validName(() -> CertificateKind.fromWireName(value.trim().toLowerCase(Locale.ROOT)));
    }

    private static <T> T validName(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
