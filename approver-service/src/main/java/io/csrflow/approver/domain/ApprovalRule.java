package io.csrflow.approver.domain;

import java.util.Optional;

/** One row of the policy table: decides, or passes the CSR on to the next rule. */
interface ApprovalRule {
    String name();

    Optional<Decision> evaluate(Review review);
}
