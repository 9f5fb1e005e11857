package io.csrflow.scheduler.inventory;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;

/**
 * The newest certificate of one identity and where its notices stand. {@code nextNoticeAt} is
 * when the scheduler acts on it next (first notice, reminder, expiry, or forgetting it; for a pod
 * certificate, the next look at its pod); it is also the key of the certificate's one entry in the
 * deadline index. A pod certificate ({@code pod} set) gets no notices: its {@code deadline} is the
 * kubelet's {@code beginRefreshAt}, and {@code overdueSince} is when the scheduler found it overdue
 * with its pod still running (null until then).
 */
public record TrackedCertificate(
        Identity identity,
        String nodeName,
        String csrName,
        String serial,
        String issuer,
        Instant notBefore,
        Instant notAfter,
        Instant deadline,
        Instant seenAt,
        Sighting.Source source,
        int notices,
        RenewalReason lastReason,
        Instant nextNoticeAt,
        PodCertificate pod,
        Instant overdueSince) {

    /** A CSR's certificate. */
    public TrackedCertificate(Identity identity, String nodeName, String csrName, String serial, String issuer,
            Instant notBefore, Instant notAfter, Instant deadline, Instant seenAt, Sighting.Source source, int notices,
            RenewalReason lastReason, Instant nextNoticeAt) {
        this(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline, seenAt, source, notices,
                lastReason, nextNoticeAt, null, null);
    }

    /** A newly tracked certificate: nothing sent yet, first notice at the deadline. */
    public static TrackedCertificate track(Sighting s, Instant deadline) {
        return new TrackedCertificate(s.identity(), s.nodeName(), s.csrName(), s.serial(), s.issuer(), s.notBefore(),
                s.notAfter(), deadline, s.seenAt(), s.source(), 0, null, deadline);
    }

    /** A newly tracked pod certificate: its deadline is when the kubelet refreshes it, first looked at per {@code plan}. */
    public static TrackedCertificate trackPod(Sighting s, OverduePlan plan) {
        return new TrackedCertificate(s.identity(), null, null, s.serial(), s.issuer(), s.notBefore(), s.notAfter(),
                s.pod().beginRefreshAt(), s.seenAt(), s.source(), 0, null, plan.firstCheck(s.pod()), s.pod(), null);
    }

    public TrackedCertificate noticeSent(RenewalReason reason, Instant next) {
        return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline, seenAt,
                source, notices + 1, reason, next, pod, overdueSince);
    }

    /** This pod certificate, overdue since {@code since} with its pod running, looked at again at {@code next}. */
    public TrackedCertificate overdue(Instant since, Instant next) {
        return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline, seenAt,
                source, notices, lastReason, next, pod, since);
    }

    /** The same certificate, acted on next at {@code next}. */
    public TrackedCertificate nextAt(Instant next) {
        return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline, seenAt,
                source, notices, lastReason, next, pod, overdueSince);
    }

    /** Whether this is a pod's certificate (from a PodCertificateRequest) rather than a CSR's. */
    public boolean isPodCertificate() {
        return pod != null;
    }

    public boolean sameCertificate(Sighting s) {
        return s.sameCertificate(serial, issuer);
    }

    /**
     * Whether {@code s} is a newer certificate than this one: issued later (NotBefore), then
     * longer-lived, then by serial so that every replica breaks a tie the same way.
     */
    public boolean isOlderThan(Sighting s) {
        int c = notBefore.compareTo(s.notBefore());
        if (c == 0) {
            c = notAfter.compareTo(s.notAfter());
        }
        if (c == 0) {
            c = serial.compareToIgnoreCase(s.serial());
        }
        return c < 0;
    }

    /**
     * Where the certificate stands at {@code now}; {@code overdueAfter} is how long DUE lasts. A pod
     * certificate is DUE from {@code beginRefreshAt} (the kubelet should be refreshing it) and OVERDUE
     * only once the scheduler has found its pod still running past the margin, which is state, not time.
     */
    public CertificateStatus status(Instant now, Duration overdueAfter) {
        if (!now.isBefore(notAfter)) {
            return CertificateStatus.EXPIRED;
        }
        if (pod != null) {
            return overdueSince != null ? CertificateStatus.OVERDUE
                    : now.isBefore(deadline) ? CertificateStatus.SCHEDULED : CertificateStatus.DUE;
        }
        if (now.isBefore(deadline)) {
            return CertificateStatus.SCHEDULED;
        }
        return now.isBefore(deadline.plus(overdueAfter)) ? CertificateStatus.DUE : CertificateStatus.OVERDUE;
    }
}
