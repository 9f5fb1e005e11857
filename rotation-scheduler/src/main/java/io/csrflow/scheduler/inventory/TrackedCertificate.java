package io.csrflow.scheduler.inventory;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;

/**
 * The newest certificate of one identity and where its notices stand. {@code nextNoticeAt} is
 * when the scheduler acts on it next (first notice, reminder, expiry, or forgetting it); it is also
 * the key of the certificate's one entry in the deadline index.
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
        Instant nextNoticeAt) {

    /** A newly tracked certificate: nothing sent yet, first notice at the deadline. */
    public static TrackedCertificate track(Sighting s, Instant deadline) {
        return new TrackedCertificate(s.identity(), s.nodeName(), s.csrName(), s.serial(), s.issuer(), s.notBefore(),
                s.notAfter(), deadline, s.seenAt(), s.source(), 0, null, deadline);
    }

    public TrackedCertificate noticeSent(RenewalReason reason, Instant next) {
        return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline, seenAt,
                source, notices + 1, reason, next);
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

    /** Where the certificate stands at {@code now}; {@code overdueAfter} is how long DUE lasts. */
    public CertificateStatus status(Instant now, Duration overdueAfter) {
        if (!now.isBefore(notAfter)) {
            return CertificateStatus.EXPIRED;
        }
        if (now.isBefore(deadline)) {
            return CertificateStatus.SCHEDULED;
        }
        return now.isBefore(deadline.plus(overdueAfter)) ? CertificateStatus.DUE : CertificateStatus.OVERDUE;
    }
}
