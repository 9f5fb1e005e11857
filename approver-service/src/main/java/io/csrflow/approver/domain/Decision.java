package io.csrflow.approver.domain;

import java.util.List;

import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.PolicyCheck;
import io.csrflow.pki.CsrRejection;

/**
 * What the policy concluded for one CSR: the outcome, the rule that decided, the condition reason
 * and message, and every check that ran. {@code retry}: a NO_OPINION worth asking again later (a
 * Node not registered yet, a SubjectAccessReview not allowed yet). {@code ours} is false for CSRs
 * the approver leaves alone without a word (other signers, already decided).
 */
public record Decision(DecisionOutcome outcome, String rule, String reason, String message, List<PolicyCheck> checks,
                       boolean retry, boolean ours) {

    public Decision {
        checks = List.copyOf(checks);
    }

    static Decision notOurs(String why, List<PolicyCheck> checks) {
        return new Decision(DecisionOutcome.NO_OPINION, "not-ours", DecisionReason.NOT_OURS.reason(), why, checks, false,
                false);
    }

    static Decision approved(String rule, String message, List<PolicyCheck> checks) {
        return new Decision(DecisionOutcome.APPROVED, rule, DecisionReason.AUTO_APPROVED.reason(), message, checks,
                false, true);
    }

    static Decision denied(String rule, DecisionReason reason, String message, List<PolicyCheck> checks) {
        return new Decision(DecisionOutcome.DENIED, rule, reason.reason(), message, checks, false, true);
    }

    /** Denied by the shared CSR verification, with its reason. */
    static Decision denied(String rule, CsrRejection rejection, String message, List<PolicyCheck> checks) {
        return new Decision(DecisionOutcome.DENIED, rule, rejection.reason(), message, checks, false, true);
    }

    static Decision noOpinion(String rule, DecisionReason reason, String message, List<PolicyCheck> checks,
            boolean retry) {
        return new Decision(DecisionOutcome.NO_OPINION, rule, reason.reason(), message, checks, retry, true);
    }
}
