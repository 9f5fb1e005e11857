package io.csrflow.signer.kube;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.LiveCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;

/**
 * Reads live CSRs and writes through {@code /status} with the resourceVersion read: the certificate,
 * or a Failed condition. A conflict means someone wrote first; the caller re-reads and decides
 * again. Every failure of the API surfaces as {@link ApiUnavailableException}, never as a fabric8 error.
 */
@ApplicationScoped
public class CsrStatusWriter {
    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE }

    private final LiveCsrs csrs;

    CsrStatusWriter(LiveCsrs csrs) {
        this.csrs = csrs;
    }

    /** The live CSR if it still is {@code uid} (any when null). */
    public Optional<CertificateSigningRequest> get(String name, String uid) {
        return csrs.get(name, uid);
    }

    public Written certificate(CertificateSigningRequest live, String pem) {
        return outcome(csrs.certificate(live, Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))));
    }

    public Written failed(CertificateSigningRequest live, String reason, String message) {
        return outcome(csrs.condition(live, "Failed", reason, message));
    }

    private static Written outcome(LiveCsrs.Written written) {
        return switch (written) {
            case WRITTEN -> Written.WRITTEN;
            case GONE -> Written.GONE;
            // 422: the API refused the change, as it does when another signer wrote a certificate first.
            case CONFLICT, REFUSED -> Written.CONFLICT;
        };
    }
}
