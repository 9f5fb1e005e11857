package io.csrflow.service;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.csrflow.events.CloudEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventFormatException;
import io.csrflow.events.EventType;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Decodes consumed records; one that is not a valid event is counted and rethrown, so that the
 * channel's dead-letter strategy moves it aside.
 */
public final class RecordDecoder {
    private final MeterRegistry registry;
    private final String metric;

    /** @param metric counter of malformed records, e.g. {@code csrflow.approver.records.malformed} */
    public RecordDecoder(MeterRegistry registry, String metric) {
        this.registry = registry;
        this.metric = metric;
    }

    public <T> CloudEvent<T> decode(EventType<T> type, ConsumerRecord<String, byte[]> record) {
        try {
            return EventCodec.decode(type, record.headers(), record.value());
        } catch (EventFormatException e) {
            registry.counter(metric, "type", type.type()).increment();
            throw e;
        }
    }
}
