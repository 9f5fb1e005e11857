package io.csrflow.scheduler.streams;

import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.scheduler.inventory.Sighting;

/** {@code cert.issued} → sighting, keyed by identity as the contract keys the topic. */
final class IssuedDecoder extends InputDecoder {

    IssuedDecoder(String topic) {
        super(topic);
    }

    @Override
    Record<String, Decoded> decode(Record<String, byte[]> record) {
        CertIssued issued = EventCodec.decode(EventType.CERT_ISSUED, record.headers(), record.value()).data();
        // The identity's state lives in the task of its key's partition; a record keyed otherwise
        // would split one identity's history across tasks.
        if (!issued.identity().key().equals(record.key())) {
            throw new IllegalArgumentException("record key '" + record.key() + "' is not the identity key '"
                    + issued.identity().key() + "'");
        }
        return record.withValue(Decoded.of(new Sighting(issued.identity(),
                Sighting.nodeOf(issued.identity().commonName()), issued.csrName(), issued.serial(), issued.issuer(),
                issued.notBefore(), issued.notAfter(), issued.issuedAt(), Sighting.Source.CERT_ISSUED)));
    }
}
