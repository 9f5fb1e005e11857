package io.csrflow.approver;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.approver.domain.ApprovalPolicy;
import io.csrflow.approver.domain.Decision;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.approver.kube.CsrApprovals;
import io.csrflow.approver.kube.CsrEventRecorder;
import io.csrflow.approver.messaging.outbound.DecisionPublisher;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.service.CsrSnapshots;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One review of one CSR: the transition Pending → Approved or Denied (or a stated no opinion). The
 * event that triggered it is only a notification: the policy judges the object as the API listed it
 * (the informer's copy, or a read), and the decision is written conditionally on the resourceVersion read, so a replayed, forged
 * or stale event can approve nothing the API does not show as pending.
 */
@ApplicationScoped
public class ReviewService {
    private static final Logger LOG = Logger.getLogger(ReviewService.class);

    /** What a review leaves to do: nothing, or another review after this CSR's backoff. */
    enum Next { DONE, ASK_AGAIN }

    private final ApprovalPolicy policy;
    private final CsrApprovals approvals;
    private final CsrEventRecorder events;
    private final DecisionPublisher publisher;
    private final RetryScheduler retries;
    private final ReviewQueue queue;
    private final MeterRegistry registry;
    private final Clock clock;

    ReviewService(ApprovalPolicy policy, CsrApprovals approvals, CsrEventRecorder events, DecisionPublisher publisher,
            RetryScheduler retries, ReviewQueue queue, MeterRegistry registry, Clock clock) {
        this.policy = policy;
        this.approvals = approvals;
        this.events = events;
        this.publisher = publisher;
        this.retries = retries;
        this.queue = queue;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Reviews the CSR {@code name} if it still is the one with {@code uid}; the one place that asks
     * for another review later (a passing reason for no opinion, or an API that did not answer).
     */
    public void review(String name, String uid) {
        Next next;
        try {
            next = reviewOnce(name, uid);
        } catch (TransientFailure e) {
            LOG.warnf("review of CSR %s postponed: %s", name, e.getMessage());
            next = Next.ASK_AGAIN;
        }
        if (next == Next.ASK_AGAIN) {
            // In the CSR's turn, as a record would be: never beside another review of it.
            retries.later(name, uid, (n, u) -> queue.retry(n, u, () -> review(n, u)));
        } else {
            retries.forget(name);
        }
    }

    private Next reviewOnce(String name, String uid) {
        Optional<CertificateSigningRequest> found = approvals.toReview(name, uid);
        if (found.isEmpty()) {
            return Next.DONE;
        }
        CertificateSigningRequest live = found.get();
        CsrObserved snapshot = CsrSnapshots.of(live, false, clock.instant());
        Timer.Sample sample = Timer.start(registry);
        Decision decision = policy.evaluate(snapshot);
        sample.stop(registry.timer("csrflow.approver.evaluation", "signer", snapshot.signerName()));
        if (!decision.ours()) {
            return Next.DONE;
        }
        if (decision.outcome() != DecisionOutcome.NO_OPINION) {
            CsrApprovals.Written written = approvals.write(live, decision);
            if (written != CsrApprovals.Written.WRITTEN) {
                LOG.debugf("CSR %s was %s before the decision could be written", name, written);
                return Next.DONE;
            }
            events.record(live, decision);
        }
        publisher.publish(new CsrDecision(name, snapshot.uid(), snapshot.resourceVersion(), snapshot.signerName(),
                decision.outcome(), decision.rule(), decision.reason(), decision.message(), decision.checks(),
                policy.version(), clock.instant()));
        registry.counter("csrflow.approver.decisions", "outcome", decision.outcome().name(),
                "signer", snapshot.signerName(), "rule", decision.rule(), "reason", decision.reason()).increment();
        LOG.infof("CSR %s: %s by rule %s (%s) %s", name, decision.outcome(), decision.rule(), decision.reason(),
                decision.message());
        return decision.retry() ? Next.ASK_AGAIN : Next.DONE;
    }
}
