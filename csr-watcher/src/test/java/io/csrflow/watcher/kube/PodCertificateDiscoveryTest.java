package io.csrflow.watcher.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What the watcher concludes from an API server's discovery document for certificates.k8s.io/v1beta1,
 * the one request it makes before deciding. The API server here is an HTTP fake of that document
 * alone, answering as kube-apiserver does: 1.35 with PodCertificateRequests enabled; 1.33/1.34, which
 * serve v1beta1 for ClusterTrustBundles only; older ones, which do not serve v1beta1 at all.
 */
class PodCertificateDiscoveryTest {
    static final String PATH = "/apis/certificates.k8s.io/v1beta1";
    static final String SERVED = """
            {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"certificates.k8s.io/v1beta1","resources":[
             {"name":"clustertrustbundles","singularName":"clustertrustbundle","namespaced":false,
              "kind":"ClusterTrustBundle","verbs":["create","delete","get","list","watch"]},
             {"name":"podcertificaterequests","singularName":"podcertificaterequest","namespaced":true,
              "kind":"PodCertificateRequest","verbs":["create","delete","get","list","watch"]},
             {"name":"podcertificaterequests/status","singularName":"","namespaced":true,
              "kind":"PodCertificateRequest","verbs":["get","patch","update"]}]}""";
    static final String TRUST_BUNDLES_ONLY = """
            {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"certificates.k8s.io/v1beta1","resources":[
             {"name":"clustertrustbundles","singularName":"clustertrustbundle","namespaced":false,
              "kind":"ClusterTrustBundle","verbs":["create","delete","get","list","watch"]}]}""";
    static final String NOT_FOUND = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
            "message":"the server could not find the requested resource","reason":"NotFound",\
            "details":{},"code":404}""";

    HttpServer server;
    volatile int status;
    volatile String body;
    final List<String> requested = new CopyOnWriteArrayList<>();
    KubernetesClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requested.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    void answer(int code, String json) {
        status = code;
        body = json;
    }

    @Test
    void kubernetes135WithTheApiEnabledServesThem() {
        answer(200, SERVED);

        PodCertificateDiscovery.Answer answer = PodCertificateDiscovery.ask(client);

        assertTrue(answer.served());
        assertEquals("the API server serves podcertificaterequests in certificates.k8s.io/v1beta1", answer.reason());
        assertEquals(List.of("GET " + PATH), requested);
    }

    @Test
    void aGroupVersionWithoutTheResourceIsNotServingThem() {
        answer(200, TRUST_BUNDLES_ONLY);

        PodCertificateDiscovery.Answer answer = PodCertificateDiscovery.ask(client);

        assertFalse(answer.served());
        assertEquals("the API server serves certificates.k8s.io/v1beta1 without podcertificaterequests "
                + "(PodCertificateRequests need Kubernetes 1.35 or later with the PodCertificateRequest feature gate "
                + "and certificates.k8s.io/v1beta1 enabled)", answer.reason());
    }

    @Test
    void anUnknownGroupVersionIsNotServingThem() {
        answer(404, NOT_FOUND);

        PodCertificateDiscovery.Answer answer = PodCertificateDiscovery.ask(client);

        assertFalse(answer.served());
        assertTrue(answer.reason().startsWith("the API server does not serve certificates.k8s.io/v1beta1 ("),
                answer.reason());
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 403, 429, 500, 503})
    void anyOtherAnswerIsNoAnswerAndIsAskedAgain(int code) {
        answer(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code + "}");

        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> PodCertificateDiscovery.ask(client));

        assertEquals(code, e.getCode());
    }

    @Test
    void anApiServerThatIsNotThereIsNoAnswer() {
        answer(200, SERVED);
        server.stop(0);

        assertThrows(KubernetesClientException.class, () -> PodCertificateDiscovery.ask(client));
    }
}
