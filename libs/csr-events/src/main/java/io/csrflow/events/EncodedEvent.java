package io.csrflow.events;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** An event ready for Kafka: key, CloudEvents binary-mode headers (in a fixed order) and JSON value. */
public record EncodedEvent(String key, Map<String, String> headers, byte[] value) {

    public ProducerRecord<String, byte[]> toProducerRecord(String topic) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, v) -> recordHeaders.add(name, v.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, key, value, recordHeaders);
    }
}
