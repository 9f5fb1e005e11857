package io.csrflow.watcher;

import static io.csrflow.watcher.WatcherTestSupport.approve;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKafkaProcess;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaProcess;
import io.csrflow.testsupport.KafkaProcessTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The broker goes away while CSRs change; when it is back, every CSR's latest state is on the topic. */
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
}
