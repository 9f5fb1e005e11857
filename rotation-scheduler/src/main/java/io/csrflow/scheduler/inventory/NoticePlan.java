package io.csrflow.scheduler.inventory;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.events.RenewalReason;

/**
 * What happens when a tracked certificate's time comes: the first notice (DUE) at the deadline,
 * reminders (OVERDUE) with doubling intervals up to a cap while no newer certificate arrives, one
 * EXPIRED notice at NotAfter, and after a retention period the certificate is forgotten so that
 * identities that are gone for good do not stay in the inventory for ever.
 */
public record NoticePlan(Duration firstReminder, Duration maxReminder, Duration expiredRetention) {

    public NoticePlan {
        if (firstReminder.isNegative() || firstReminder.isZero() || maxReminder.compareTo(firstReminder) < 0) {
            throw new IllegalArgumentException("reminders need 0 < first (" + firstReminder + ") <= max ("
                    + maxReminder + ")");
        }
        if (expiredRetention.isNegative()) {
            throw new IllegalArgumentException("expired retention must not be negative: " + expiredRetention);
        }
    }

    /** The scheduler's next step for a certificate whose {@code nextNoticeAt} has come. */
    public sealed interface Step {
    }

    /** Send a notice with this reason; act again at {@code next}. */
    public record Notice(RenewalReason reason, Instant next) implements Step {
    }

    /** Stop tracking: expired long enough ago. */
    public record Forget() implements Step {
    }

    public Step next(TrackedCertificate tracked, Instant now) {
        if (tracked.lastReason() == RenewalReason.EXPIRED) {
            return new Forget();
        }
        if (!now.isBefore(tracked.notAfter())) {
            return new Notice(RenewalReason.EXPIRED, tracked.notAfter().plus(expiredRetention));
        }
        RenewalReason reason = tracked.notices() == 0 ? RenewalReason.DUE : RenewalReason.OVERDUE;
        Instant reminder = now.plus(reminderAfter(tracked.notices() + 1));
        return new Notice(reason, reminder.isBefore(tracked.notAfter()) ? reminder : tracked.notAfter());
    }

    /** The wait after notice number {@code n} (1-based): first, 2·first, 4·first, ... capped. */
    public Duration reminderAfter(int n) {
        Duration wait = firstReminder;
        for (int i = 1; i < n && wait.compareTo(maxReminder) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxReminder) < 0 ? wait : maxReminder;
    }
}
