package io.csrflow.scheduler.streams;

import static io.csrflow.scheduler.streams.TestCertificates.issued;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.testsupport.EventProbe;

/**
 * A deadline between two ticks wakes the task at its time: with a tick of an hour, the notice still
 * comes at the deadline (before, it came at the next tick, up to a tick late).
 */
class DeadlineWakeUpTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LIFETIME = Duration.ofDays(10);

    private final SchedulerHarness harness = new SchedulerHarness(T0, 1, TestCertificates.trustBundle(),
            Duration.ofHours(1));

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aDeadlineBeforeTheNextTickIsActedOnAtItsTime() {
        CertIssued cert = issued("worker-1", "a1b2c3", T0, T0.plus(LIFETIME), T0);
        Instant deadline = new DeadlinePolicy.KubeletJitter().deadline("a1b2c3", T0, T0.plus(LIFETIME));
        // Started three seconds before the deadline: its first tick is an hour later.
        harness.clock.set(deadline.minusSeconds(3));
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        EventProbe<RenewalDue> renewals = harness.renewals();
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), cert);
        harness.awaitTracked(scheduler, cert.identity().key());

        harness.clock.set(deadline);
        await().atMost(Duration.ofSeconds(20)).until(() -> !renewals.received().isEmpty());
        RenewalDue due = renewals.received().get(0).data();
        assertEquals(RenewalReason.DUE, due.reason());
        assertEquals(deadline, due.deadline());
    }
}
