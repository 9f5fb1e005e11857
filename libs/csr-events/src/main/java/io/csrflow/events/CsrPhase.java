package io.csrflow.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a CertificateSigningRequest stands, derived from its conditions and certificate. */
public enum CsrPhase {
    PENDING("Pending"),
    APPROVED("Approved"),
    DENIED("Denied"),
    FAILED("Failed"),
    ISSUED("Issued"),
    DELETED("Deleted");

    private final String wireName;

    CsrPhase(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static CsrPhase fromWireName(String value) {
        for (CsrPhase phase : values()) {
            if (phase.wireName.equals(value)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + value + "'");
    }
}
