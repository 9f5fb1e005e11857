package io.csrflow.events;

import java.util.List;

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

    /**
     * The phase of a live CSR: Failed if a Failed condition is true, else Denied if denied, else
     * Issued if it has a certificate, else Approved if approved, else Pending.
     */
    public static CsrPhase of(List<CsrCondition> conditions, String certificate) {
        if (isTrue(conditions, "Failed")) {
            return FAILED;
        }
        if (isTrue(conditions, "Denied")) {
            return DENIED;
        }
        if (certificate != null && !certificate.isEmpty()) {
            return ISSUED;
        }
        return isTrue(conditions, "Approved") ? APPROVED : PENDING;
    }

    private static boolean isTrue(List<CsrCondition> conditions, String type) {
        return conditions.stream().anyMatch(c -> type.equals(c.type()) && "True".equals(c.status()));
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
