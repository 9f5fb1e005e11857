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
 * {@code kind} says what it was issued for. A pod's certificate ({@code pod-certificate}) also has
 * {@code pod}, {@code podUid}, {@code requestName} (its PodCertificateRequest in the pod's namespace),
 * {@code beginRefreshAt} (also its {@code deadline}: no notice is sent, the kubelet refreshes it) and
 * {@code overdueSince} once found overdue; its {@code nodeName} is the pod's node, and it has no
 * {@code csrName}.
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
        Instant seenAt,
        CertificateKind kind,
        String pod,
        String podUid,
        String requestName,
        Instant beginRefreshAt,
        Instant overdueSince) {

    public static CertificateView of(TrackedCertificate t, Instant now, Duration overdueAfter) {
        boolean isPod = t.isPodCertificate();
        return new CertificateView(t.identity().key(), t.identity().signerName(), t.identity().commonName(),
                t.identity().namespace(), t.identity().serviceAccount(), CertificateFilter.nodeOf(t), t.csrName(),
                t.serial(), t.issuer(), t.notBefore(), t.notAfter(), t.deadline(), t.status(now, overdueAfter),
                t.notices(), t.lastReason(), t.nextNoticeAt(), t.source(), t.seenAt(), CertificateKind.of(t),
                isPod ? t.identity().commonName() : null, isPod ? t.pod().podUid() : null,
                isPod ? t.pod().requestName() : null, isPod ? t.pod().beginRefreshAt() : null, t.overdueSince());
    }
}
