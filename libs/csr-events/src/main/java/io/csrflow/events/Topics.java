package io.csrflow.events;

/**
 * Topic names, the one place they are defined: the defaults of DESIGN.md (services read the names
 * from configuration, whose defaults are these constants), and each consumer's dead-letter topic.
 */
public final class Topics {
    public static final String OBSERVED = "csrflow.csr.observed";
    public static final String DECISIONS = "csrflow.csr.decisions";
    public static final String ISSUED = "csrflow.cert.issued";
    public static final String RENEWAL_DUE = "csrflow.cert.renewal-due";
    public static final String POD_CERTIFICATES_OBSERVED = "csrflow.pcr.observed";
    /** Dead-letter topics are {@code DEAD_LETTER_PREFIX + consumer + DEAD_LETTER_SUFFIX}: see {@link #deadLetter}. */
    public static final String DEAD_LETTER_PREFIX = "csrflow.";
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    public static final String APPROVER_DEAD_LETTER = DEAD_LETTER_PREFIX + "approver-service" + DEAD_LETTER_SUFFIX;
    public static final String SIGNER_DEAD_LETTER = DEAD_LETTER_PREFIX + "signer-service" + DEAD_LETTER_SUFFIX;
    public static final String SCHEDULER_DEAD_LETTER = DEAD_LETTER_PREFIX + "rotation-scheduler" + DEAD_LETTER_SUFFIX;

    private Topics() {
    }

    /** The dead-letter topic of one consumer (service), e.g. {@code csrflow.approver-service.dlq}. */
    public static String deadLetter(String consumer) {
        return DEAD_LETTER_PREFIX + consumer + DEAD_LETTER_SUFFIX;
    }
}
