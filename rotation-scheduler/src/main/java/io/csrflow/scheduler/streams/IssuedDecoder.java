package io.csrflow.scheduler.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.scheduler.inventory.Sighting;

/** {@code cert.issued} → sighting, keyed by identity as the contract keys the topic. */
final class IssuedDecoder implements Processor<String, byte[], String, Decoded> {
    private final String topic;
    private ProcessorContext<String, Decoded> context;

    IssuedDecoder(String topic) {
        this.topic = topic;
    }

    @Override
    public void init(ProcessorContext<String, Decoded> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CertIssued issued;
        Sighting sighting;
        try {
            issued = EventCodec.decode(EventType.CERT_ISSUED, record.headers(), record.value()).data();
            sighting = new Sighting(issued.identity(), Sighting.nodeOf(issued.identity().commonName()),
                    issued.csrName(), issued.serial(), issued.issuer(), issued.notBefore(), issued.notAfter(),
                    issued.issuedAt(), Sighting.Source.CERT_ISSUED);
        } catch (RuntimeException e) {
            context.forward(DeadLetters.reject(record, topic, e.getMessage()));
            return;
        }
        // The identity's state lives in the task of its key's partition; a record keyed otherwise
        // would split one identity's history across tasks.
        if (!issued.identity().key().equals(record.key())) {
            context.forward(DeadLetters.reject(record, topic, "record key '" + record.key()
                    + "' is not the identity key '" + issued.identity().key() + "'"));
            return;
        }
        context.forward(record.withValue(Decoded.of(sighting)));
    }
}
