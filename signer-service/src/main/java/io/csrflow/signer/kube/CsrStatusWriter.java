package io.csrflow.signer.kube;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.events.CsrPhase;
import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.CsrReads;
import io.csrflow.service.LiveCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Reads CSRs and writes through {@code /status} with the resourceVersion read: the certificate, or a
 * Failed condition. The first read of a signing is the informer's copy when it has one (no API read,
 * as kube-controller-manager's signer; requests kept while Approved, a Pending copy read live after a
 * moment since the approval may be ahead of the informer); a conflict means someone wrote first or
 * the copy was stale, and the caller reads the live CSR and decides again. Every failure of the API
 * surfaces as {@link ApiUnavailableException}, never as a fabric8 error.
 */
@ApplicationScoped
public class CsrStatusWriter {
    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE }

    /** The approval that triggered a signing is usually only milliseconds ahead of the informer. */
    private static final Duration APPROVAL_PATIENCE = Duration.ofMillis(200);

    private final LiveCsrs csrs;
    private final CsrReads reads;

    CsrStatusWriter(LiveCsrs csrs, MeterRegistry registry) {
        this.csrs = csrs;
        this.reads = new CsrReads("signer", "approved", Set.of(CsrPhase.APPROVED), Set.of(CsrPhase.PENDING),
                APPROVAL_PATIENCE, csrs, registry);
    }

    void start(@Observes StartupEvent event, KubernetesClient client) {
        reads.start(client);
    }

    @PreDestroy
    void stop() {
        reads.close();
    }

    /**
     * The CSR to sign if it still is {@code uid}: the cached copy when the cache has it approved, else
     * the live one; empty when it is gone or the cache has seen it issued, failed or denied (final).
     */
    public Optional<CertificateSigningRequest> toSign(String name, String uid) {
        return reads.toWorkOn(name, uid);
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
