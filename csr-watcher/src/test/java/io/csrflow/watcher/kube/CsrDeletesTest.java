package io.csrflow.watcher.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The cleaner's delete as the API server receives it: preconditions on the uid and the
 * resourceVersion that were judged, so that the API server refuses to delete a CSR that changed or
 * was created again under the same name; and each answer read by its status code.
 */
class CsrDeletesTest {
    private static final String PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests/";

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        // fabric8 retries 5xx and 429 by itself; here each answer is to reach CsrDeletes as it is.
        client = server.createClient(builder -> builder.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "200, DELETED",
        // What the API server answers when a precondition fails: the CSR changed or is another one.
        "409, CHANGED",
        "404, GONE",
        "422, REFUSED",
        "403, FORBIDDEN",
        "500, UNAVAILABLE",
        "429, UNAVAILABLE",
    })
    void deletesOnlyTheCsrThatWasJudgedAndReadsTheAnswerByStatusCode(int code, CsrDeletes.Outcome expected)
            throws Exception {
        server.expect().delete().withPath(PATH + "node-csr-a1").andReturn(code, new StatusBuilder()
                .withCode(code).withStatus(code == 200 ? "Success" : "Failure").build()).once();

        CsrDeletes.Result result = new CsrDeletes(client).deleteIfUnchanged("node-csr-a1", "uid-41", "1077");

        assertEquals(expected, result.outcome());
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("DELETE", request.getMethod());
        assertEquals(PATH + "node-csr-a1", request.getPath());
        JsonNode options = new ObjectMapper().readTree(request.getBody().readUtf8());
        assertEquals("DeleteOptions", options.path("kind").asText());
        assertEquals("uid-41", options.path("preconditions").path("uid").asText());
        assertEquals("1077", options.path("preconditions").path("resourceVersion").asText());
    }

    @ParameterizedTest
    @CsvSource({"csr-system:node:worker-1, csr-system:node:worker-1", "'a b?c#d', a%20b%3Fc%23d", "é, %C3%A9"})
    void theNameIsOnePathSegment(String name, String onTheWire) throws Exception {
        server.expect().delete().withPath(PATH + onTheWire).andReturn(200, new StatusBuilder().build()).once();

        assertEquals(CsrDeletes.Outcome.DELETED, new CsrDeletes(client).deleteIfUnchanged(name, "u", "1").outcome());
        assertEquals(PATH + onTheWire, server.takeRequest(5, TimeUnit.SECONDS).getPath());
    }
}
