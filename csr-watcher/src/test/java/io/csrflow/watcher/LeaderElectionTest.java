package io.csrflow.watcher;

import static io.csrflow.watcher.PodCertificateTestSupport.create;
import static io.csrflow.watcher.PodCertificateTestSupport.ed25519;
import static io.csrflow.watcher.PodCertificateTestSupport.phasesOf;
import static io.csrflow.watcher.PodCertificateTestSupport.podOnNode;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * While another replica holds the Lease this one publishes nothing, CSRs and PodCertificateRequests
 * alike; when it is gone, this one takes over and publishes what it missed.
 */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaseHeldElsewhere.class)
class LeaderElectionTest {
    public static class LeaseHeldElsewhere implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "csr-watcher-token",
                            "heldLease", "csrflow/csr-watcher=other-replica:3600")));
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void standsByWhileTheLeaseIsHeldAndTakesOverWhenItExpires() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> probe = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.CSR_OBSERVED);
             EventProbe<PodCertificateObserved> pcrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.POD_CERTIFICATE_OBSERVED)) {
            given().get("/q/health/ready").then().statusCode(200).body(containsString("\"role\": \"standby\""));

            createKubeletCsr(admin, "while-standby", "worker-s");
            create(emulator, podOnNode(emulator, admin, "standby", "web", "worker-s"), "web-cert", ed25519(),
                    Map.of());
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> phasesOf(probe, "while-standby").isEmpty() && pcrs.received().isEmpty());

            // The other replica stops renewing: its lease runs out.
            Lease held = admin.leases().inNamespace("csrflow").withName("csr-watcher").get();
            admin.leases().inNamespace("csrflow").resource(new LeaseBuilder(held).editSpec()
                    .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).minusHours(2)).endSpec().build()).update();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> phasesOf(probe, "while-standby").contains(CsrPhase.PENDING)
                            && phasesOf(pcrs, "standby/web-cert").contains(PodCertificatePhase.PENDING));
            Lease taken = admin.leases().inNamespace("csrflow").withName("csr-watcher").get();
            assertNotEquals("other-replica", taken.getSpec().getHolderIdentity());
            assertEquals(1, taken.getSpec().getLeaseTransitions());
            given().get("/q/health/ready").then().statusCode(200).body(containsString("\"role\": \"leader\""));
            assertTrue(probe.received().stream().allMatch(r -> r.key().equals(r.data().name())));
        }
    }
}
