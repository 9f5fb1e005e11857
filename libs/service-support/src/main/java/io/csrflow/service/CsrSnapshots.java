package io.csrflow.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

import io.csrflow.events.CsrCondition;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.Requester;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatus;

/**
 * Turns a CSR read from the Kubernetes API (informer or GET) into the {@code csr.observed}
 * snapshot; reads, never modifies it.
 */
public final class CsrSnapshots {
    private CsrSnapshots() {
    }

    public static CsrObserved of(CertificateSigningRequest csr, boolean deleted, Instant observedAt) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        CertificateSigningRequestStatus status = csr.getStatus();
        List<CsrCondition> conditions = conditions(status);
        String certificate = status == null ? null : pem(status.getCertificate());
        CsrPhase phase = deleted ? CsrPhase.DELETED : CsrPhase.of(conditions, certificate);
        return new CsrObserved(
                csr.getMetadata().getName(),
                csr.getMetadata().getUid(),
                csr.getMetadata().getResourceVersion(),
                spec.getSignerName(),
                pem(spec.getRequest()),
                spec.getUsages(),
                spec.getExpirationSeconds(),
                new Requester(spec.getUsername(), spec.getUid(), spec.getGroups(), spec.getExtra()),
                conditions,
                certificate,
                phase,
                instant(csr.getMetadata().getCreationTimestamp()),
                observedAt);
    }

    /** The phase the contract derives, without decoding the request or the certificate. */
    public static CsrPhase phase(CertificateSigningRequest csr) {
        CertificateSigningRequestStatus status = csr.getStatus();
        return CsrPhase.of(conditions(status), status == null ? null : status.getCertificate());
    }

    private static List<CsrCondition> conditions(CertificateSigningRequestStatus status) {
        return status == null || status.getConditions() == null ? List.of()
                : status.getConditions().stream().map(c -> new CsrCondition(c.getType(), c.getStatus(),
                        c.getReason(), c.getMessage(), instant(c.getLastUpdateTime()),
                        instant(c.getLastTransitionTime()))).toList();
    }

    /** JSON carries the PEM bytes as base64; consumers get the PEM text. */
    private static String pem(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            // The API server validates both fields; a stand-in that did not gets them passed through.
            return base64;
        }
    }

    private static Instant instant(String time) {
        if (time == null || time.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
