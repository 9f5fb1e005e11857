package io.csrflow.scheduler.inventory;

import java.time.Duration;
import java.time.Instant;

/**
 * When a pod certificate is looked at. The kubelet refreshes a pod's certificate itself at
 * {@code beginRefreshAt}, so nothing is announced: a certificate still the newest of its identity
 * {@code margin} after that is overdue, if its pod still runs (a deleted pod leaves its last
 * certificate behind for good; the caller asks the API). An overdue certificate's pod is looked at
 * again with the reminder intervals of {@link NoticePlan} (the wait grows with the time it has been
 * overdue, so no counter is kept), once more at NotAfter, and the certificate is forgotten
 * {@code expiredRetention} after NotAfter, as any expired certificate.
 */
public record OverduePlan(Duration margin, NoticePlan notices) {

    public OverduePlan {
        if (margin == null || margin.isNegative() || margin.isZero()) {
            throw new IllegalArgumentException("csrflow.scheduler.pod-certificates.overdue-margin must be a positive "
                    + "duration, got " + margin);
        }
    }

    /** When a pod certificate is first looked at: {@code margin} after the kubelet was to begin refreshing it. */
    public Instant firstCheck(PodCertificate pod) {
        return pod.beginRefreshAt().plus(margin);
    }

    /** Whether {@code tracked} has been expired long enough to be forgotten without asking after its pod. */
    public boolean forgotten(TrackedCertificate tracked, Instant now) {
        return !now.isBefore(tracked.notAfter().plus(notices.expiredRetention()));
    }

    /**
     * When to look at the pod of a certificate overdue since {@code overdueSince} again: after as long
     * as it has been overdue, within the reminder bounds; never past NotAfter while it is valid, and
     * never past the end of its retention once it has expired.
     */
    public Instant nextCheck(TrackedCertificate tracked, Instant overdueSince, Instant now) {
        Duration overdueFor = Duration.between(overdueSince, now);
        Duration wait = overdueFor.compareTo(notices.firstReminder()) < 0 ? notices.firstReminder()
                : overdueFor.compareTo(notices.maxReminder()) > 0 ? notices.maxReminder() : overdueFor;
        Instant next = now.plus(wait);
        Instant bound = now.isBefore(tracked.notAfter()) ? tracked.notAfter()
                : tracked.notAfter().plus(notices.expiredRetention());
        return next.isBefore(bound) ? next : bound;
    }

    /** How late the kubelet is at {@code now}: the time since it was to begin refreshing. */
    public static Duration lateness(TrackedCertificate tracked, Instant now) {
        return Duration.between(tracked.pod().beginRefreshAt(), now);
    }
}
