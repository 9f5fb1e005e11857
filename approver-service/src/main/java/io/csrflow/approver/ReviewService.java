package io.csrflow.approver;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.approver.domain.ApprovalPolicy;
import io.csrflow.approver.domain.Decision;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.approver.kube.CsrApprovals;
import io.csrflow.approver.kube.CsrEventRecorder;
import io.csrflow.approver.messaging.DecisionPublisher;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.service.CsrSnapshots;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One review of one CSR. The event that triggered it is only a notification: the policy judges the
 * live object read from the API, and the decision is written conditionally on the resourceVersion
 * read, so a replayed, forged or stale event can approve nothing the API does not show as pending.
 */
@ApplicationScoped
public class ReviewService {
    private static final Logger LOG = Logger.getLogger(ReviewService.class);

    private final ApprovalPolicy policy;
    private final CsrApprovals approvals;
    private final CsrEventRecorder events;
    private final DecisionPublisher publisher;
    private final RetryScheduler retries;
    private final MeterRegistry registry;
    private final Clock clock;

    ReviewService(ApprovalPolicy policy, CsrApprovals approvals, CsrEventRecorder events, DecisionPublisher publisher,
            RetryScheduler retries, MeterRegistry registry, Clock clock) {
        this.policy = policy;
        this.approvals = approvals;
        this.events = events;
        this.publisher = publisher;
        this.retries = retries;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Reviews the CSR {@code name} if it still is the one with {@code uid}. A transient fault
     * schedules another review instead of failing the caller.
     */
    public void review(String name, String uid) {
        try {
            reviewOnce(name, uid);
        } catch (TransientFailure e) {
            LOG.warnf("review of CSR %s postponed: %s", name, e.getMessage());
            retries.schedule(name, uid, this::review);
        }
    }

    private void reviewOnce(String name, String uid) {
        CertificateSigningRequest live = approvals.get(name);
        if (live == null || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
            retries.forget(name);
            return;
        }
        CsrObserved snapshot = CsrSnapshots.of(live, false, clock.instant());
        Timer.Sample sample = Timer.start(registry);
        Decision decision = policy.evaluate(snapshot);
        sample.stop(registry.timer("csrflow.approver.evaluation", "signer", snapshot.signerName()));
        if (!decision.ours()) {
            retries.forget(name);
            return;
        }
        if (decision.outcome() != DecisionOutcome.NO_OPINION) {
            CsrApprovals.Written written = approvals.write(live, decision);
            retries.forget(name);
            if (written != CsrApprovals.Written.WRITTEN) {
                LOG.debugf("CSR %s was %s before the decision could be written", name, written);
                return;
            }
            events.record(live, decision);
        } else if (decision.retry()) {
            retries.schedule(name, uid, this::review);
        } else {
            retries.forget(name);
        }
        publisher.publish(new CsrDecision(name, snapshot.uid(), snapshot.resourceVersion(), snapshot.signerName(),
                decision.outcome(), decision.rule(), decision.reason(), decision.message(), decision.checks(),
                policy.version(), clock.instant()));
        registry.counter("csrflow.approver.decisions", "outcome", decision.outcome().name(),
                "signer", snapshot.signerName(), "rule", decision.rule(), "reason", decision.reason()).increment();
        LOG.infof("CSR %s: %s by rule %s (%s) %s", name, decision.outcome(), decision.rule(), decision.reason(),
                decision.message());
    }
}
