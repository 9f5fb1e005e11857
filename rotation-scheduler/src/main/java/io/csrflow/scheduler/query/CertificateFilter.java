package io.csrflow.scheduler.query;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * The filters of {@code GET /v1/certificates} and {@code GET /v1/fleet}; null means "any". A
 * {@code namespace} or {@code serviceAccount} matches workload identities only.
 */
public record CertificateFilter(String signerName, String nodeName, String namespace, String serviceAccount,
        Duration expiringWithin, CertificateStatus status) {

    /** No filter at all: the whole inventory. */
    public static final CertificateFilter ANY = new CertificateFilter(null, null, null, null, null, null);

    public boolean matches(TrackedCertificate t, Instant now, Duration overdueAfter) {
        return (signerName == null || signerName.equals(t.identity().signerName()))
                && (nodeName == null || nodeName.equals(t.nodeName()))
                && (namespace == null || namespace.equals(t.identity().namespace()))
                && (serviceAccount == null || serviceAccount.equals(t.identity().serviceAccount()))
                && (expiringWithin == null || t.notAfter().isBefore(now.plus(expiringWithin)))
                && (status == null || status == t.status(now, overdueAfter));
    }

    /** Whether only some identities match (or all: a summary of everything can be cached). */
    public boolean isAny() {
        return equals(ANY);
    }
}
