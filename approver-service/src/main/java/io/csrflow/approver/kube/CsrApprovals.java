package io.csrflow.approver.kube;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.approver.domain.Decision;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.CsrReads;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.LiveCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Reads CSRs and writes decisions through {@code /approval}, conditional on the resourceVersion that
 * was read: a CSR decided by someone else in between is left alone. A review starts from the informer
 * cache when it has the CSR (no API read, as kube-controller-manager's approver; requests kept while
 * Pending, the phase only once decided); a stale copy makes the write fail with 409, and the live
 * CSR is read then.
 */
@ApplicationScoped
public class CsrApprovals {
    /** What became of a write. */
    public enum Written { WRITTEN, ALREADY_DECIDED, GONE }

    private final LiveCsrs csrs;
    private final CsrReads reads;
    private final Clock clock;

    CsrApprovals(LiveCsrs csrs, Clock clock, MeterRegistry registry) {
        this.csrs = csrs;
        this.clock = clock;
        this.reads = new CsrReads("approver", "pending", Set.of(CsrPhase.PENDING), Set.of(), Duration.ZERO, csrs,
                registry);
    }

    void start(@Observes StartupEvent event, KubernetesClient client) {
        reads.start(client);
    }

    @PreDestroy
    void stop() {
        reads.close();
    }

    /**
     * The CSR to review if it still is the one with {@code uid} and may be pending: the cached copy,
     * else the live one; empty when it is gone or the cache has seen it decided (a decision is final).
     *
     * @throws TransientFailure when the API does not answer
     */
    public Optional<CertificateSigningRequest> toReview(String name, String uid) {
        try {
            return reads.toWorkOn(name, uid);
        } catch (ApiUnavailableException e) {
            throw new TransientFailure(e.getMessage(), e);
        }
    }

    /**
     * The live CSR if it still is the one with {@code uid}.
     *
     * @throws TransientFailure when the API does not answer
     */
    private Optional<CertificateSigningRequest> get(String name, String uid) {
        try {
            return csrs.get(name, uid);
        } catch (ApiUnavailableException e) {
            throw new TransientFailure(e.getMessage(), e);
        }
    }

    /** @throws TransientFailure when the API does not answer, or the CSR changed and is still pending */
    public Written write(CertificateSigningRequest live, Decision decision) {
        String type = decision.outcome() == DecisionOutcome.APPROVED ? "Approved" : "Denied";
        String name = live.getMetadata().getName();
        LiveCsrs.Written written;
        try {
            written = csrs.approval(live, type, decision.reason(), decision.message());
        } catch (ApiUnavailableException e) {
            throw new TransientFailure(e.getMessage(), e);
        }
        return switch (written) {
            case WRITTEN -> Written.WRITTEN;
            case GONE -> Written.GONE;
            // Someone wrote first (409), or the API refused a second decision (422): decided elsewhere,
            // or still pending and worth another look.
            case CONFLICT, REFUSED -> {
                Optional<CertificateSigningRequest> current = get(name, live.getMetadata().getUid());
                if (current.isEmpty()) {
                    yield Written.GONE;
                }
                if (decided(current.get())) {
                    yield Written.ALREADY_DECIDED;
                }
                throw new TransientFailure("CSR " + name + " changed while it was reviewed; reviewing again", null);
            }
        };
    }

    /** Approved or Denied (or past that): the phase the contract derives says so. */
    private boolean decided(CertificateSigningRequest csr) {
        return CsrSnapshots.of(csr, false, clock.instant()).phase() != CsrPhase.PENDING;
    }
}
