package io.csrflow.watcher;

import static io.csrflow.watcher.MovableClock.CLOCK;
import static io.csrflow.watcher.WatcherTestSupport.approve;
import static io.csrflow.watcher.WatcherTestSupport.approveAt;
import static io.csrflow.watcher.WatcherTestSupport.certificate;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.deny;
import static io.csrflow.watcher.WatcherTestSupport.exists;
import static io.csrflow.watcher.WatcherTestSupport.fail;
import static io.csrflow.watcher.WatcherTestSupport.issue;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * CSR garbage collection as kube-controller-manager's csrcleaner does it, seen from outside: CSRs
 * the API server stamped with the real time, a watcher whose clock the test moves forward, a pass
 * every second. Old CSRs leave the API and their deletion is on {@code csr.observed} with its
 * reason; young ones stay.
 */
@QuarkusTest
@TestProfile(CsrCleanerTest.CleanerEverySecond.class)
class CsrCleanerTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Several passes. */
    static final Duration PASSES = Duration.ofSeconds(4);
    static final String DELETED = "csrflow_watcher_cleaner_deleted_total";

    /** A pass every second and a clock the test moves. */
    public static class CleanerEverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csrflow.watcher.cleaner.interval", "1s");
        }

        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(MovableClock.class);
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "csr-watcher-token")));
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CsrObserved> probe;

    @BeforeEach
    void connect() {
        CLOCK.set(Instant.now());
        admin = emulator.client("admin-token");
        probe = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_OBSERVED);
    }

    @AfterEach
    void disconnect() {
        probe.close();
        admin.close();
    }

    @Test
    void decidedCsrsGoAnHourAfterTheDecisionAndPendingOnesADayAfterCreationEachSayingWhy() {
        Instant start = CLOCK.instant();
        String valid = certificate(start.minus(Duration.ofMinutes(5)), start.plus(Duration.ofDays(365)));
        createKubeletCsr(admin, "gc-denied", "worker-d");
        deny(admin, "gc-denied");
        createKubeletCsr(admin, "gc-failed", "worker-f");
        fail(admin, approve(admin, "gc-failed"));
        createKubeletCsr(admin, "gc-issued", "worker-i");
        issue(admin, approve(admin, "gc-issued"), valid);
        createKubeletCsr(admin, "gc-pending", "worker-p");
        createKubeletCsr(admin, "gc-issued-later", "worker-l");
        await().atMost(WAIT).until(() -> phasesOf(probe, "gc-denied").contains(CsrPhase.DENIED)
                && phasesOf(probe, "gc-failed").contains(CsrPhase.FAILED)
                && phasesOf(probe, "gc-issued").contains(CsrPhase.ISSUED)
                && phasesOf(probe, "gc-issued-later").contains(CsrPhase.PENDING)
                && phasesOf(probe, "gc-pending").contains(CsrPhase.PENDING));
        double deniedBefore = deleted(CsrDeletionReason.DENIED_PAST_DEADLINE);

        // Two hours on: decided an hour ago and more. gc-issued-later is approved and issued ten minutes ago.
        CLOCK.advance(Duration.ofHours(2));
        issue(admin, approveAt(admin, "gc-issued-later", CLOCK.instant().minus(Duration.ofMinutes(10))), valid);

        await().atMost(WAIT).until(() -> !exists(admin, "gc-denied") && !exists(admin, "gc-failed")
                && !exists(admin, "gc-issued"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertDeletedBecause("gc-denied", CsrPhase.DENIED, CsrDeletionReason.DENIED_PAST_DEADLINE);
            assertDeletedBecause("gc-failed", CsrPhase.FAILED, CsrDeletionReason.FAILED_PAST_DEADLINE);
            assertDeletedBecause("gc-issued", CsrPhase.ISSUED, CsrDeletionReason.ISSUED_PAST_DEADLINE);
        });
        assertEquals(valid, latest(probe, "gc-issued").certificate(), "the last state, certificate included");
        assertTrue(deleted(CsrDeletionReason.DENIED_PAST_DEADLINE) >= deniedBefore + 1);

        // A new CSR under a cleaned one's name is another request, judged on its own age.
        CertificateSigningRequest again = createKubeletCsr(admin, "gc-denied", "worker-d");
        await().during(PASSES).atMost(PASSES.plusSeconds(5)).until(() -> exists(admin, "gc-denied")
                && exists(admin, "gc-pending") && exists(admin, "gc-issued-later"));
        assertEquals(List.of(CsrPhase.PENDING, CsrPhase.DENIED, CsrPhase.DELETED, CsrPhase.PENDING),
                phasesOf(probe, "gc-denied"));
        assertEquals(again.getMetadata().getUid(), latest(probe, "gc-denied").uid());
        assertNotEquals(CsrPhase.DELETED, latest(probe, "gc-pending").phase());
        assertNotEquals(CsrPhase.DELETED, latest(probe, "gc-issued-later").phase());

        // A day on: pending since its creation a day ago, and issued more than an hour ago.
        CLOCK.advance(Duration.ofHours(24));
        await().atMost(WAIT).untilAsserted(() -> {
            assertDeletedBecause("gc-pending", CsrPhase.PENDING, CsrDeletionReason.PENDING_PAST_DEADLINE);
            assertDeletedBecause("gc-issued-later", CsrPhase.ISSUED, CsrDeletionReason.ISSUED_PAST_DEADLINE);
        });
        assertTrue(!exists(admin, "gc-pending") && !exists(admin, "gc-issued-later"));
    }

    @Test
    void anIssuedCsrWhoseCertificateExpiredGoesSayingSo() {
        Instant start = CLOCK.instant();
        String shortLived = certificate(start.minus(Duration.ofMinutes(5)), start.plus(Duration.ofMinutes(11)));
        createKubeletCsr(admin, "gc-expired", "worker-e");
        issue(admin, approveAt(admin, "gc-expired", start), shortLived);
        await().atMost(WAIT).until(() -> phasesOf(probe, "gc-expired").contains(CsrPhase.ISSUED));
        await().during(PASSES).atMost(PASSES.plusSeconds(5)).until(() -> exists(admin, "gc-expired"));

        // Approved 15 minutes ago, well within the hour; its certificate ran out 4 minutes ago.
        CLOCK.advance(Duration.ofMinutes(15));
        await().atMost(WAIT).untilAsserted(() ->
                assertDeletedBecause("gc-expired", CsrPhase.ISSUED, CsrDeletionReason.CERTIFICATE_EXPIRED));
        assertTrue(!exists(admin, "gc-expired"));
        assertTrue(deleted(CsrDeletionReason.CERTIFICATE_EXPIRED) >= 1);
        // A user sees that the cleaner runs, and when it last looked at every CSR (the test's clock).
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(PrometheusText.sum(metrics, "csrflow_watcher_cleaner_passes_total", Map.of()) >= 1, metrics);
        assertTrue(PrometheusText.sum(metrics, "csrflow_watcher_cleaner_last_pass_seconds", Map.of())
                >= start.plus(Duration.ofMinutes(15)).getEpochSecond(), metrics);
    }

    /** The CSR's last event is its deletion, with the state it was deleted in and the cleaner's reason. */
    private void assertDeletedBecause(String name, CsrPhase lastPhase, CsrDeletionReason reason) {
        List<CsrPhase> phases = phasesOf(probe, name);
        assertEquals(CsrPhase.DELETED, phases.get(phases.size() - 1), name + ": " + phases);
        assertEquals(lastPhase, phases.get(phases.size() - 2), name + ": " + phases);
        CsrObserved deleted = latest(probe, name);
        assertEquals(reason, deleted.deletedBecause(), name);
        assertEquals(name, probe.received().stream().filter(r -> r.data() == deleted).findFirst().orElseThrow().key());
    }

    private static double deleted(CsrDeletionReason reason) {
        return PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(), DELETED,
                Map.of("reason", reason.wireName()));
    }
}
