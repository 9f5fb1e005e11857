package io.csrflow.events;

import java.util.List;
import java.util.function.Function;

/**
 * One event type of the contract: its CloudEvents type, payload class, default topic, and how an
 * event's Kafka key and CloudEvents subject are derived (CSR name for {@code csr.*}, {@code namespace/name} for
 * {@code pcr.*}, identity for {@code cert.*}, so that order per CSR and per identity holds inside a partition).
 */
public final class EventType<T> {
    public static final EventType<CsrObserved> CSR_OBSERVED = new EventType<>(
            "io.csrflow.csr.observed.v1", CsrObserved.class, Topics.OBSERVED, CsrObserved::name,
            e -> e.phase().wireName());
    public static final EventType<CsrDecision> CSR_DECISION = new EventType<>(
            "io.csrflow.csr.decisions.v1", CsrDecision.class, Topics.DECISIONS, CsrDecision::csrName, null);
    public static final EventType<CertIssued> CERT_ISSUED = new EventType<>(
            "io.csrflow.cert.issued.v1", CertIssued.class, Topics.ISSUED, e -> e.identity().key(), null);
    public static final EventType<RenewalDue> RENEWAL_DUE = new EventType<>(
            "io.csrflow.cert.renewal-due.v1", RenewalDue.class, Topics.RENEWAL_DUE,
            e -> e.identity().key(), null);
    public static final EventType<PodCertificateObserved> POD_CERTIFICATE_OBSERVED = new EventType<>(
            "io.csrflow.pcr.observed.v1", PodCertificateObserved.class, Topics.POD_CERTIFICATES_OBSERVED,
            PodCertificateObserved::key, e -> e.phase().wireName());

    public static final List<EventType<?>> ALL = List.of(CSR_OBSERVED, CSR_DECISION, CERT_ISSUED, RENEWAL_DUE,
            POD_CERTIFICATE_OBSERVED);

    private final String type;
    private final Class<T> payloadClass;
    private final String defaultTopic;
    private final Function<T, String> keyOf;
    private final Function<T, String> phaseOf;

    private EventType(String type, Class<T> payloadClass, String defaultTopic, Function<T, String> keyOf,
            Function<T, String> phaseOf) {
        this.type = type;
        this.payloadClass = payloadClass;
        this.defaultTopic = defaultTopic;
        this.keyOf = keyOf;
        this.phaseOf = phaseOf;
    }

    /** The CloudEvents {@code type} attribute. */
    public String type() {
        return type;
    }

    public Class<T> payloadClass() {
        return payloadClass;
    }

    public String defaultTopic() {
        return defaultTopic;
    }

    /** The Kafka key, which is also the CloudEvents {@code subject}. */
    public String keyOf(T payload) {
        return keyOf.apply(payload);
    }

    /** Whether events of this type are snapshots that announce their object's phase in {@code ce_phase}. */
    public boolean announcesPhase() {
        return phaseOf != null;
    }

    /** The snapshot's phase as on the wire; only for types that {@link #announcesPhase() announce one}. */
    public String phaseOf(T payload) {
        if (phaseOf == null) {
            throw new IllegalStateException(type + " events carry no phase");
        }
        return phaseOf.apply(payload);
    }

    @Override
    public String toString() {
        return type;
    }
}
