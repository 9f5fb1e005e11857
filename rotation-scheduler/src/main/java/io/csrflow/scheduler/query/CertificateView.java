package io.csrflow.scheduler.query;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * One tracked certificate as the HTTP API shows it; {@code namespace} and {@code serviceAccount}
 * only for workload identities, whose {@code commonName} is the name the certificate is for.
 */
public record CertificateView(
        String identity,
        String signerName,
        String commonName,
        String namespace,
        String serviceAccount,
        String nodeName,
        String csrName,
        String serial,
        String issuer,
        Instant notBefore,
        Instant notAfter,
        Instant deadline,
        CertificateStatus status,
        int notices,
        RenewalReason lastReason,
        Instant nextNoticeAt,
        Sighting.Source source,
        Instant seenAt) {

    public static CertificateView of(TrackedCertificate t, Instant now, Duration overdueAfter) {
        return new CertificateView(t.identity().key(), t.identity().signerName(), t.identity().commonName(),
                t.identity().namespace(), t.identity().serviceAccount(), t.nodeName(), t.csrName(), t.serial(),
                t.issuer(), t.notBefore(), t.notAfter(), t.deadline(), t.status(now, overdueAfter), t.notices(), t.lastReason(), t.nextNoticeAt(), t.source(), t.seenAt());
    }
}
