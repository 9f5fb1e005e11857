package io.csrflow.watcher;

import static io.csrflow.watcher.PodCertificateTestSupport.create;
import static io.csrflow.watcher.PodCertificateTestSupport.ed25519;
import static io.csrflow.watcher.PodCertificateTestSupport.podOnNode;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code csrflow.watcher.pod-certificates.enabled=false}: served or not, PodCertificateRequests are left alone. */
@QuarkusTest
@TestProfile(PodCertificatesTurnedOffTest.TurnedOff.class)
class PodCertificatesTurnedOffTest {
    public static class TurnedOff implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "csr-watcher-token")));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csrflow.watcher.pod-certificates.enabled", "false");
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void requestsAreNotPublishedAndReadinessSaysItIsTheSetting() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> csrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_OBSERVED);
             EventProbe<PodCertificateObserved> pcrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.POD_CERTIFICATE_OBSERVED)) {
            create(emulator, podOnNode(emulator, admin, "off", "web", "worker-off"), "web-cert", ed25519(), Map.of());
            createKubeletCsr(admin, "off-1", "worker-off");

            await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf(csrs, "off-1").contains(CsrPhase.PENDING));
            given().get("/q/health/ready").then().statusCode(200)
                    .body(containsString("\"podCertificates\": \"not watched: "
                            + "csrflow.watcher.pod-certificates.enabled=false\""));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> pcrs.received().isEmpty());
            assertTrue(pcrs.received().isEmpty());
        }
    }
}
