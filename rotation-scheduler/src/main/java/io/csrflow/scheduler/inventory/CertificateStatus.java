package io.csrflow.scheduler.inventory;

/**
 * Where a tracked certificate stands, from its times alone, so every replica agrees (and the one
 * replica holding an identity decides; for a pod certificate, OVERDUE also needs its pod found running).
 */
public enum CertificateStatus {
    /** Before its rotation deadline (a pod certificate: before {@code beginRefreshAt}). */
    SCHEDULED,
    /**
     * The deadline has passed, for less than the overdue threshold (the first reminder interval); a pod
     * certificate: the kubelet should be refreshing it, and it has not been found overdue.
     */
    DUE,
    /**
     * The deadline passed longer ago than that, and no newer certificate has arrived; a pod certificate:
     * no newer one for {@code overdue-margin} after {@code beginRefreshAt} while its pod still runs.
     */
    OVERDUE,
    /** NotAfter has passed. */
    EXPIRED
}
