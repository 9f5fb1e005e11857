package io.csrflow.scheduler.inventory;

/** Where a tracked certificate stands, from its times alone, so every replica agrees. */
public enum CertificateStatus {
    /** Before its rotation deadline. */
    SCHEDULED,
    /** The deadline has passed, for less than the overdue threshold (the first reminder interval). */
    DUE,
    /** The deadline passed longer ago than that, and no newer certificate has arrived. */
    OVERDUE,
    /** NotAfter has passed. */
    EXPIRED
}
