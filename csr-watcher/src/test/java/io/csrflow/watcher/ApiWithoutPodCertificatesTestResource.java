package io.csrflow.watcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.testsupport.ClusterManifests;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * An API server as Kubernetes 1.33 and 1.34 are to the watcher: certificates.k8s.io/v1beta1 is served
 * (ClusterTrustBundles) but without PodCertificateRequests. It is the emulator, with k8s/'s RBAC as
 * {@code KubeEmulatorTestResource} sets it up, behind a pass-through proxy that takes
 * {@code podcertificaterequests} out of that one discovery document; every other request, watches
 * included, reaches the emulator as it was sent. The service's client talks to the proxy as
 * {@code csr-watcher-token}; fields annotated {@link InjectKubeEmulator} receive the emulator itself.
 */
public final class ApiWithoutPodCertificatesTestResource implements QuarkusTestResourceLifecycleManager {
    private static final String HIDDEN_IN = "/apis/certificates.k8s.io/v1beta1";
    /** Headers the JDK's client sets itself and refuses to be given. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive");
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubeEmulator emulator;
    private HttpServer proxy;
    private ExecutorService threads;
    private HttpClient upstream;

    @Override
    public Map<String, String> start() {
        emulator = KubeEmulator.start(EmulatorConfig.defaults().withRbac(ClusterManifests.devOverlay()), "127.0.0.1",
                0, false);
        try (KubernetesClient admin = emulator.client("admin-token")) {
            ClusterManifests.createServedObjects(admin);
        }
        upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "discovery-proxy");
            thread.setDaemon(true);
            return thread;
        });
        try {
            proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        proxy.setExecutor(threads);
        proxy.createContext("/", this::forward);
        proxy.start();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", "http://127.0.0.1:" + proxy.getAddress().getPort(),
                "quarkus.kubernetes-client.token", "csr-watcher-token",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
                // No WebSockets through this proxy: a 200 tells fabric8 to watch over chunked HTTP
                // instead, as it does behind kubectl proxy.
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url()
                    + exchange.getRequestURI().toString()));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            byte[] body = exchange.getRequestBody().readAllBytes();
            request.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<InputStream> response;
            try {
                response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            try (InputStream in = response.body()) {
                if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals(HIDDEN_IN)
                        && response.statusCode() == 200) {
                    byte[] filtered = withoutPodCertificateRequests(in.readAllBytes());
                    exchange.sendResponseHeaders(200, filtered.length);
                    exchange.getResponseBody().write(filtered);
                    return;
                }
                exchange.sendResponseHeaders(response.statusCode(), 0);
                OutputStream out = exchange.getResponseBody();
                // Chunk by chunk, so that a watch's events reach the client as they come.
                byte[] buffer = new byte[8192];
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // The client went away (a watch closed): nothing to answer.
        }
    }

    private static byte[] withoutPodCertificateRequests(byte[] document) throws IOException {
        ObjectNode list = (ObjectNode) JSON.readTree(document);
        ArrayNode kept = JSON.createArrayNode();
        list.withArray("resources").forEach(r -> {
            if (!r.path("name").asText().startsWith("podcertificaterequests")) {
                kept.add(r);
            }
        });
        list.set("resources", kept);
        return JSON.writeValueAsBytes(list);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(emulator,
                new TestInjector.AnnotatedAndMatchesType(InjectKubeEmulator.class, KubeEmulator.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        if (emulator != null) {
            emulator.close();
        }
    }
}
