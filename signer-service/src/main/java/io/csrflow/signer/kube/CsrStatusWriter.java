package io.csrflow.signer.kube;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.CsrCache;
import io.csrflow.service.LiveCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads CSRs and writes through {@code /status} with the resourceVersion read: the certificate, or a
 * Failed condition. The first read of a signing is the informer's copy when it has one (no API read,
 * as kube-controller-manager's signer); a conflict means someone wrote first or the copy was stale,
 * and the caller reads the live CSR and decides again. Every failure of the API surfaces as {@link ApiUnavailableException}, never as a fabric8 error.
 */
@ApplicationScoped
public class CsrStatusWriter {
    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE }

    private final LiveCsrs csrs;
    private final SignerCsrCache cache;
    private final Counter fromCache;
    private final Counter fromApi;
    private final Counter doneInCache;

    CsrStatusWriter(LiveCsrs csrs, SignerCsrCache cache, MeterRegistry registry) {
        this.csrs = csrs;
        this.cache = cache;
        this.fromCache = registry.counter("csrflow.signer.csr.reads", "source", "cache");
        this.fromApi = registry.counter("csrflow.signer.csr.reads", "source", "api");
        this.doneInCache = registry.counter("csrflow.signer.csr.reads", "source", "cache-done");
    }

    /**
     * The CSR to sign if it still is {@code uid}: the cached copy when the cache has it approved, else
     * the live one; empty when it is gone or the cache has seen it issued, failed or denied (final).
     */
    public Optional<CertificateSigningRequest> toSign(String name, String uid) {
        CsrCache.Lookup known = cache.lookup(name, uid);
        if (known instanceof CsrCache.InPlay inPlay) {
            fromCache.increment();
            return Optional.of(inPlay.csr());
        }
        if (known instanceof CsrCache.Past) {
            doneInCache.increment();
            return Optional.empty();
        }
        fromApi.increment();
        return csrs.get(name, uid);
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
