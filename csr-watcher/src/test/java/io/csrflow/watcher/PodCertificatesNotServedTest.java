package io.csrflow.watcher;

import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An API server that does not serve PodCertificateRequests (Kubernetes before 1.35, or the feature
 * off): the watcher says once, in its log and in its readiness, that they are not watched and why,
 * is ready, and publishes CSRs as before.
 */
@QuarkusTest
@TestProfile(PodCertificatesNotServedTest.OlderKubernetes.class)
class PodCertificatesNotServedTest {
    static final Path LOG = Path.of("target", "pod-certificates-not-served.log");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WHY = "the API server serves certificates.k8s.io/v1beta1 without podcertificaterequests "
            + "(PodCertificateRequests need Kubernetes 1.35 or later with the PodCertificateRequest feature gate and "
            + "certificates.k8s.io/v1beta1 enabled)";

    public static class OlderKubernetes implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(ApiWithoutPodCertificatesTestResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.deleteIfExists(LOG);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG.toString());
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void csrsArePublishedAndTheWatcherSaysWhyPodCertificatesAreNot() throws IOException {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> csrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_OBSERVED);
             EventProbe<PodCertificateObserved> pcrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.POD_CERTIFICATE_OBSERVED)) {
            createKubeletCsr(admin, "older-1", "worker-older");
            await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf(csrs, "older-1").contains(CsrPhase.PENDING));

            given().get("/q/health/ready").then().statusCode(200)
                    .body(containsString("\"role\": \"leader\""))
                    .body(containsString("\"informerSynced\": true"))
                    .body(containsString("\"podCertificates\": \"not watched: " + WHY + "\""))
                    .body(containsString("\"podCertificateInformerSynced\": false"));
            // The file log is JSON, one record a line.
            List<JsonNode> said = new ArrayList<>();
            for (String line : Files.readAllLines(LOG)) {
                JsonNode record = JSON.readTree(line);
                if (record.path("message").asText().contains("pod certificates are")) {
                    said.add(record);
                }
            }
            assertEquals(1, said.size(), said.toString());
            assertEquals("pod certificates are not watched: " + WHY + "; CSRs are watched as before",
                    said.get(0).path("message").asText());
            assertEquals("INFO", said.get(0).path("level").asText());
            assertTrue(pcrs.received().isEmpty(), "nothing on csrflow.pcr.observed");
        }
    }
}
