package io.csrflow.fleet;

import java.util.List;
import java.util.Locale;

/**
 * Ways a pod certificate request can be wrong, each with the refusal that must answer it; a
 * misbehaving pod whose request is issued, or refused some other way, is a failure of the cluster
 * (or of csrflow), not of the pod.
 */
enum PodCertificateMisbehaviour {
    NONE("well-behaved", null, null),
    /** The kubelet of another node asks for the pod: NodeRestriction forbids it. */
    OTHER_NODE("asked for by the kubelet of another node", "403", null),
    /** The proof of possession is a signature over another pod UID: the API's validation rejects it. */
    BAD_PROOF("proof of possession signed over another UID", "422", null),
    /** An ED25519 key, which the API accepts and csrflow's signer does not by default. */
    KEY_TYPE("asks for an ED25519 key", "Denied", "UnsupportedKeyType");

    /** The kinds in the order the last pods take them, cycling. */
    static final List<PodCertificateMisbehaviour> CYCLE = List.of(OTHER_NODE, BAD_PROOF, KEY_TYPE);

    private final String description;
    private final String expectedCode;
    private final String expectedReason;

    PodCertificateMisbehaviour(String description, String expectedCode, String expectedReason) {
        this.description = description;
        this.expectedCode = expectedCode;
        this.expectedReason = expectedReason;
    }

    String description() {
        return description;
    }

    boolean misbehaves() {
        return this != NONE;
    }

    /** Whether {@code refusal} is the answer this misbehaviour must get. */
    boolean expects(PodCertificateOutcome.Refused refusal) {
        return misbehaves() && expectedCode.equals(refusal.code())
                && (expectedReason == null || expectedReason.equals(refusal.reason()));
    }

    /** What must refuse it, for the report: {@code 403}, {@code 422}, {@code Denied UnsupportedKeyType}. */
    String expectedRefusal() {
        return expectedCode == null ? null : expectedReason == null ? expectedCode : expectedCode + " " + expectedReason;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
