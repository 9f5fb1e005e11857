package io.csrflow.watcher;

import static io.csrflow.watcher.MovableClock.CLOCK;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.deny;
import static io.csrflow.watcher.WatcherTestSupport.exists;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.PrometheusText;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Only the Lease holder cleans: a standby replica deletes nothing, however old the CSRs, until it leads. */
@QuarkusTest
@TestProfile(CleanerStandbyTest.StandbyCleanerEverySecond.class)
class CleanerStandbyTest {
    /** {@link CsrCleanerTest}'s cleaner, with the Lease held by another replica. */
    public static class StandbyCleanerEverySecond extends CsrCleanerTest.CleanerEverySecond {
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
    void aStandbyReplicaDeletesNothingAndCleansOnceItLeads() {
        CLOCK.set(Instant.now());
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> probe = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.CSR_OBSERVED)) {
            given().get("/q/health/ready").then().statusCode(200).body(containsString("\"role\": \"standby\""));
            createKubeletCsr(admin, "standby-denied", "worker-sd");
            deny(admin, "standby-denied");
            createKubeletCsr(admin, "standby-pending", "worker-sp");

            // Garbage by every age, on this replica's clock: a day and more since either was touched.
            CLOCK.advance(Duration.ofHours(25));
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                    .until(() -> exists(admin, "standby-denied") && exists(admin, "standby-pending"));
            assertEquals(0.0, deletedTotal(), "a standby deletes nothing");

            // The other replica stops renewing: its lease runs out, and this one leads, and cleans.
            Lease held = admin.leases().inNamespace("csrflow").withName("csr-watcher").get();
            admin.leases().inNamespace("csrflow").resource(new LeaseBuilder(held).editSpec()
                    .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).minusHours(2)).endSpec().build()).update();

            await().atMost(Duration.ofSeconds(30)).until(() -> !exists(admin, "standby-denied")
                    && !exists(admin, "standby-pending"));
            await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf(probe, "standby-denied")
                    .equals(List.of(CsrPhase.DENIED, CsrPhase.DELETED))
                    && phasesOf(probe, "standby-pending").equals(List.of(CsrPhase.PENDING, CsrPhase.DELETED)));
            assertEquals(CsrDeletionReason.DENIED_PAST_DEADLINE, latest(probe, "standby-denied").deletedBecause());
            assertEquals(CsrDeletionReason.PENDING_PAST_DEADLINE, latest(probe, "standby-pending").deletedBecause());
            assertEquals(2.0, deletedTotal());
        }
    }

    private static double deletedTotal() {
        return PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(),
                "csrflow_watcher_cleaner_deleted_total", Map.of());
    }
}
