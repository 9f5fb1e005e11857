package io.csrflow.scheduler.query;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/** The filters of {@code GET /v1/certificates}; null means "any". */
public record CertificateFilter(String signerName, String nodeName, Duration expiringWithin, CertificateStatus status) {

    public boolean matches(TrackedCertificate t, Instant now, Duration overdueAfter) {
        return (signerName == null || signerName.equals(t.identity().signerName()))
                && (nodeName == null || nodeName.equals(t.nodeName()))
                && (expiringWithin == null || t.notAfter().isBefore(now.plus(expiringWithin)))
                && (status == null || status == t.status(now, overdueAfter));
    }
}
