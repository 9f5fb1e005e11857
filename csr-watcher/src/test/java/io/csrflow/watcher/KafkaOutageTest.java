package io.csrflow.watcher;

import static io.csrflow.watcher.PodCertificateTestSupport.create;
import static io.csrflow.watcher.PodCertificateTestSupport.ed25519;
import static io.csrflow.watcher.PodCertificateTestSupport.latest;
import static io.csrflow.watcher.PodCertificateTestSupport.phasesOf;
import static io.csrflow.watcher.PodCertificateTestSupport.podOnNode;
import static io.csrflow.watcher.WatcherTestSupport.approve;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKafkaProcess;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaProcess;
import io.csrflow.testsupport.KafkaProcessTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The broker goes away while CSRs and PodCertificateRequests change; when it is back, every object's
 * latest state is on its topic.
 */
@QuarkusTest
@TestProfile(KafkaOutageTest.OwnBroker.class)
class KafkaOutageTest {
    /** A profile of its own, so that this class gets a broker that it may stop. */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaProcessTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "csr-watcher-token")));
        }
    }

    @InjectKafkaProcess
    KafkaProcess broker;

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void snapshotsTakenWhileKafkaIsDownArePublishedWhenItIsBack() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> before = EventProbe.onDefaultTopic(broker.bootstrapServers(),
                     EventType.CSR_OBSERVED)) {
            createKubeletCsr(admin, "outage-a", "worker-a");
            await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf(before, "outage-a").contains(CsrPhase.PENDING));

            broker.stop();
            approve(admin, "outage-a");
            createKubeletCsr(admin, "outage-b", "worker-b");
            createKubeletCsr(admin, "outage-c", "worker-c");
            admin.certificates().v1().certificateSigningRequests().withName("outage-c").delete();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("csrflow_watcher_publish_failures_total")));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(503));

            broker.start();
            // The probe's consumer goes on from its position: it reads what the restarted broker receives.
            await().atMost(Duration.ofSeconds(60)).until(() -> latest(before, "outage-a") != null
                    && latest(before, "outage-a").phase() == CsrPhase.APPROVED
                    && latest(before, "outage-b") != null
                    && latest(before, "outage-c") != null
                    && latest(before, "outage-c").phase() == CsrPhase.DELETED);
            assertEquals(CsrPhase.PENDING, latest(before, "outage-b").phase());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                    .statusCode(200).body(containsString("\"pendingBacklog\": 0")));
        }
    }

    @Test
    void podCertificateRequestsChangedWhileKafkaIsDownArePublishedWhenItIsBack() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<PodCertificateObserved> probe = EventProbe.onDefaultTopic(broker.bootstrapServers(),
                     EventType.POD_CERTIFICATE_OBSERVED)) {
            PodCertificateTestSupport.Pod pod = podOnNode(emulator, admin, "outage", "web", "worker-p");
            KeyPair keyA = ed25519();
            GenericKubernetesResource a = create(emulator, pod, "pcr-a", keyA, Map.of());
            await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf(probe, "outage/pcr-a")
                    .contains(PodCertificatePhase.PENDING));

            broker.stop();
            PodCertificateTestSupport.Issued issued = PodCertificateTestSupport.issue(admin, a, keyA);
            create(emulator, pod, "pcr-b", ed25519(), Map.of());
            GenericKubernetesResource c = create(emulator, pod, "pcr-c", ed25519(), Map.of());
            PodCertificateTestSupport.deny(admin, c);
            PodCertificateTestSupport.delete(admin, c);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("csrflow_watcher_pcr_publish_failures_total")));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                    .statusCode(503).body(containsString("\"podCertificateBacklog\": 3")));

            broker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> latest(probe, "outage/pcr-a") != null
                    && latest(probe, "outage/pcr-a").phase() == PodCertificatePhase.ISSUED
                    && latest(probe, "outage/pcr-b") != null
                    && latest(probe, "outage/pcr-c") != null
                    && latest(probe, "outage/pcr-c").phase() == PodCertificatePhase.DELETED);
            assertEquals(issued.chain(), latest(probe, "outage/pcr-a").certificateChain());
            assertEquals(PodCertificatePhase.PENDING, latest(probe, "outage/pcr-b").phase());
            assertEquals("Denied", latest(probe, "outage/pcr-c").conditions().get(0).type(),
                    "its last state before the deletion");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                    .statusCode(200).body(containsString("\"podCertificateBacklog\": 0")));
        }
    }
}
