package io.csrflow.scheduler.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;

/** The notice sequence: DUE, reminders doubling to a cap but never past NotAfter, EXPIRED, then forgotten. */
class NoticePlanTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final NoticePlan plan = new NoticePlan(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(30));

    @Test
    void remindersDoubleUpToTheCap() {
        assertEquals(Duration.ofHours(1), plan.reminderAfter(1));
        assertEquals(Duration.ofHours(2), plan.reminderAfter(2));
        assertEquals(Duration.ofHours(4), plan.reminderAfter(3));
        assertEquals(Duration.ofHours(6), plan.reminderAfter(4));
        assertEquals(Duration.ofHours(6), plan.reminderAfter(400));
    }

    @Test
    void dueThenOverdueThenExpiredAtNotAfterThenForgotten() {
        Instant deadline = T0.plus(Duration.ofHours(80));
        Instant notAfter = T0.plus(Duration.ofHours(90));
        TrackedCertificate t = tracked(deadline, notAfter);

        var first = (NoticePlan.Notice) plan.next(t, deadline);
        assertEquals(new NoticePlan.Notice(RenewalReason.DUE, deadline.plus(Duration.ofHours(1))), first);
        t = t.noticeSent(first.reason(), first.next());

        var second = (NoticePlan.Notice) plan.next(t, first.next());
        assertEquals(new NoticePlan.Notice(RenewalReason.OVERDUE, first.next().plus(Duration.ofHours(2))), second);
        t = t.noticeSent(second.reason(), second.next());

        // The next reminder would fall after NotAfter: the expiry notice comes at NotAfter instead.
        Instant late = notAfter.minus(Duration.ofMinutes(30));
        t = t.noticeSent(RenewalReason.OVERDUE, late);
        var capped = (NoticePlan.Notice) plan.next(t, late);
        assertEquals(notAfter, capped.next());
        t = t.noticeSent(capped.reason(), capped.next());

        var expired = (NoticePlan.Notice) plan.next(t, notAfter);
        assertEquals(new NoticePlan.Notice(RenewalReason.EXPIRED, notAfter.plus(Duration.ofDays(30))), expired);
        t = t.noticeSent(expired.reason(), expired.next());
        assertInstanceOf(NoticePlan.Forget.class, plan.next(t, expired.next()));
    }

    @Test
    void refusesRemindersThatCannotWork() {
        assertThrows(IllegalArgumentException.class,
                () -> new NoticePlan(Duration.ZERO, Duration.ofHours(1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new NoticePlan(Duration.ofHours(2), Duration.ofHours(1), Duration.ZERO));
    }

    static TrackedCertificate tracked(Instant deadline, Instant notAfter) {
        Sighting s = new Sighting(new Identity("kubernetes.io/kubelet-serving", "system:node:n1"), "n1", "csr-1", "ab",
                "CN=ca", T0, notAfter, T0, Sighting.Source.CERT_ISSUED);
        return TrackedCertificate.track(s, deadline);
    }
}
