package io.csrflow.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why csr-watcher's cleaner deleted a CSR ({@link CsrObserved#deletedBecause()} on phase Deleted):
 * the garbage-collection rules of kube-controller-manager's csrcleaner, each after an age the
 * watcher is configured with. A value this reader does not know (one a newer producer added) reads
 * as {@link #UNKNOWN} instead of failing the event, so that adding a rule stays compatible.
 */
public enum CsrDeletionReason {
    /** Approved with a certificate, and the Approved condition was last updated longer ago than the issued age. */
    ISSUED_PAST_DEADLINE("IssuedPastDeadline"),
    /** The Denied condition was last updated longer ago than the denied age. */
    DENIED_PAST_DEADLINE("DeniedPastDeadline"),
    /** The Failed condition was last updated longer ago than the failed age. */
    FAILED_PAST_DEADLINE("FailedPastDeadline"),
    /** No condition at all, and created longer ago than the pending age. */
    PENDING_PAST_DEADLINE("PendingPastDeadline"),
    /** Approved with a certificate whose NotAfter has passed. */
    CERTIFICATE_EXPIRED("CertificateExpired"),
    /** A reason this version of the contract does not know; never produced. */
    UNKNOWN("Unknown");

    private final String wireName;

    CsrDeletionReason(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static CsrDeletionReason fromWireName(String value) {
        for (CsrDeletionReason reason : values()) {
            if (reason.wireName.equals(value)) {
                return reason;
            }
        }
        return UNKNOWN;
    }
}
