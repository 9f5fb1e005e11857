package io.csrflow.events;

/**
 * Topic names. Services read them from configuration; {@link #defaults()} are the names of
 * DESIGN.md. Each consumer also has a dead-letter topic of its own, named by {@link #deadLetter}.
 */
public record Topics(String observed, String decisions, String issued, String renewalDue) {

    public static Topics defaults() {
        return new Topics(EventType.CSR_OBSERVED.defaultTopic(), EventType.CSR_DECISION.defaultTopic(),
                EventType.CERT_ISSUED.defaultTopic(), EventType.RENEWAL_DUE.defaultTopic());
    }

    /** The dead-letter topic of one consumer (service), e.g. {@code csrflow.approver-service.dlq}. */
    public static String deadLetter(String consumer) {
        return "csrflow." + consumer + ".dlq";
    }
}
