package io.csrflow.scheduler.query;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * The filters of {@code GET /v1/certificates} and {@code GET /v1/fleet}; null means "any". A
 * {@code namespace} or {@code serviceAccount} matches workload identities only (pods' certificates
 * included), a {@code pod} pods' certificates only, and {@code nodeName} a kubelet's own certificates
 * and the certificates of the pods on that node.
 */
public record CertificateFilter(String signerName, String nodeName, String namespace, String serviceAccount,
        String pod, CertificateKind kind, Duration expiringWithin, CertificateStatus status) {

    /** No filter at all: the whole inventory. */
    public static final CertificateFilter ANY = new CertificateFilter(null, null, null, null, null, null, null, null);

    public boolean matches(TrackedCertificate t, Instant now, Duration overdueAfter) {
        return (signerName == null || signerName.equals(t.identity().signerName()))
                && (nodeName == null || nodeName.equals(nodeOf(t)))
                && (namespace == null || namespace.equals(t.identity().namespace()))
                && (serviceAccount == null || serviceAccount.equals(t.identity().serviceAccount()))
                && (pod == null || t.isPodCertificate() && pod.equals(t.identity().commonName()))
                && (kind == null || kind == CertificateKind.of(t))
                && (expiringWithin == null || t.notAfter().isBefore(now.plus(expiringWithin)))
                && (status == null || status == t.status(now, overdueAfter));
    }

    /** The node a certificate belongs to: a kubelet's own, or that of the pod it was issued to. */
    static String nodeOf(TrackedCertificate t) {
        return t.isPodCertificate() ? t.pod().nodeName() : t.nodeName();
    }

    /** Whether only some identities match (or all: a summary of everything can be cached). */
    public boolean isAny() {
        return equals(ANY);
    }
}
