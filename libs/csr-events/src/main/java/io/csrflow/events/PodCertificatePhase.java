package io.csrflow.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a PodCertificateRequest stands. Unlike a CSR it has no approval step: the signer answers
 * with exactly one terminal condition, Issued, Denied or Failed, and the API server keeps the
 * status immutable from then on.
 */
public enum PodCertificatePhase {
    PENDING("Pending"),
    ISSUED("Issued"),
    DENIED("Denied"),
    FAILED("Failed"),
    DELETED("Deleted");

    private final String wireName;

    PodCertificatePhase(String wireName) {
        this.wireName = wireName;
    }

    /** The phase of a live request: its terminal condition whose status is True, else Pending. */
    public static PodCertificatePhase of(List<PodCertificateCondition> conditions) {
        for (PodCertificatePhase terminal : List.of(ISSUED, DENIED, FAILED)) {
            if (conditions.stream().anyMatch(c -> terminal.wireName.equals(c.type()) && "True".equals(c.status()))) {
                return terminal;
            }
        }
        return PENDING;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static PodCertificatePhase fromWireName(String value) {
        for (PodCertificatePhase phase : values()) {
            if (phase.wireName.equals(value)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown pod certificate phase '" + value + "'");
    }
}
