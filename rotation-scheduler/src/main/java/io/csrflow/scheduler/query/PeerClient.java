package io.csrflow.scheduler.query;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import org.apache.kafka.streams.state.HostInfo;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Asks another replica for what its partitions hold ({@code scope=local}, so it never fans out again). */
public final class PeerClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper mapper;

    public PeerClient(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> Optional<T> get(HostInfo peer, String path, Map<String, String> query, Class<T> type) {
        StringJoiner q = new StringJoiner("&", "?", "");
        q.add("scope=local");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        URI uri = URI.create("http://" + peer.host() + ":" + peer.port() + path + q);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new PeerException(peer + " answered " + response.statusCode() + " for " + path);
            }
            return Optional.of(mapper.readValue(response.body(), type));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException(peer + ": interrupted");
        } catch (java.io.IOException e) {
            throw new PeerException(peer + ": " + e.getMessage());
        }
    }

    /** An identity as path segments: escaped, except the '/' of signer names, which the route matches. */
    public static String pathSegments(String identity) {
        return URLEncoder.encode(identity, StandardCharsets.UTF_8).replace("%2F", "/").replace("+", "%20");
    }

    /** A replica that did not answer; the caller reports it as a gap. */
    public static final class PeerException extends RuntimeException {
        PeerException(String message) {
            super(message);
        }
    }
}
