package io.csrflow.events;

import java.time.Instant;
import java.util.List;

/**
 * {@code io.csrflow.csr.decisions.v1}: what the approver decided for one CSR, which rule decided it
 * and every check that ran, keyed by CSR name.
 */
public record CsrDecision(
        String csrName,
        String csrUid,
        String resourceVersion,
        String signerName,
        DecisionOutcome outcome,
        String rule,
        String reason,
        String message,
        List<PolicyCheck> checks,
        String policyVersion,
        Instant decidedAt) {

    public CsrDecision {
        Require.field(csrName, "csrName");
        Require.field(csrUid, "csrUid");
        Require.field(signerName, "signerName");
        Require.field(outcome, "outcome");
        Require.field(rule, "rule");
        Require.field(decidedAt, "decidedAt");
        checks = Require.list(checks);
    }
}
