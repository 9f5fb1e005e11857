package io.csrflow.approver.kube;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.approver.domain.Decision;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.service.CsrSnapshots;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads live CSRs and writes decisions through {@code /approval}, conditional on the
 * resourceVersion that was read: a CSR decided by someone else in between is left alone.
 */
@ApplicationScoped
public class CsrApprovals {
    /** What became of a write. */
    public enum Written { WRITTEN, ALREADY_DECIDED, GONE }

    private final KubernetesClient client;
    private final Clock clock;

    CsrApprovals(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The live CSR, or null if there is none. */
    public CertificateSigningRequest get(String name) {
        try {
            return client.certificates().v1().certificateSigningRequests().withName(name).get();
        } catch (KubernetesClientException e) {
            throw new TransientFailure("reading CSR " + name + " failed: " + e.getMessage(), e);
        }
    }

    public Written write(CertificateSigningRequest live, Decision decision) {
        String type = decision.outcome() == DecisionOutcome.APPROVED ? "Approved" : "Denied";
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        // Copy: the object may come from a cache that others read.
        CertificateSigningRequest update = new CertificateSigningRequestBuilder(live).editOrNewStatus()
                .addToConditions(new CertificateSigningRequestConditionBuilder().withType(type).withStatus("True")
                        .withReason(decision.reason()).withMessage(decision.message())
                        .withLastUpdateTime(now).withLastTransitionTime(now).build())
                .endStatus().build();
        String name = live.getMetadata().getName();
        try {
            client.certificates().v1().certificateSigningRequests().resource(update).subresource("approval").update();
            return Written.WRITTEN;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Written.GONE;
            }
            if (e.getCode() == 409) {
                CertificateSigningRequest current = get(name);
                if (current == null) {
                    return Written.GONE;
                }
                if (decided(current)) {
                    return Written.ALREADY_DECIDED;
                }
                throw new TransientFailure("CSR " + name + " changed while it was reviewed; reviewing again", e);
            }
            if (e.getCode() == 422 && decided(get(name))) {
                return Written.ALREADY_DECIDED;
            }
            throw new TransientFailure("writing the decision on CSR " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** Approved or Denied (or past that): the phase the contract derives says so. */
    private boolean decided(CertificateSigningRequest csr) {
        return csr != null && CsrSnapshots.of(csr, false, clock.instant()).phase() != CsrPhase.PENDING;
    }
}
