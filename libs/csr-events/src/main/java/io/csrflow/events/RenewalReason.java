package io.csrflow.events;

/** Why a renewal event was sent. */
public enum RenewalReason {
    /** The rotation deadline has passed; the first notice. */
    DUE,
    /** A reminder: the deadline passed earlier and no newer certificate has arrived. */
    OVERDUE,
    /** NotAfter has passed without a replacement. */
    EXPIRED
}
