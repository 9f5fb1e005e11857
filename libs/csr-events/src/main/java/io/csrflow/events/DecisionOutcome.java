package io.csrflow.events;

/** What the approver decided; NO_OPINION leaves the CSR Pending for someone else or a retry. */
public enum DecisionOutcome {
    APPROVED,
    DENIED,
    NO_OPINION
}
