package io.csrflow.scheduler.streams;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.scheduler.inventory.TrustUnavailableException;

/**
 * Turns an input record into a sighting; whatever cannot be decoded goes on, marked, towards the
 * dead-letter topic with the reason, so that no record stops the stream. The one exception: a
 * certificate that cannot be checked because the trust bundle is unusable is not the record's
 * fault, so it is not dead-lettered but thrown, and read again once the bundle is back.
 */
abstract class InputDecoder implements Processor<String, byte[], String, Decoded> {
    private final String topic;
    private ProcessorContext<String, Decoded> context;

    InputDecoder(String topic) {
        this.topic = topic;
    }

    @Override
    public final void init(ProcessorContext<String, Decoded> context) {
        this.context = context;
    }

    @Override
    public final void process(Record<String, byte[]> record) {
        Record<String, Decoded> decoded;
        try {
            decoded = decode(record);
        } catch (TrustUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            decoded = DeadLetters.reject(record, topic, String.valueOf(e.getMessage()));
        }
        if (decoded != null) {
            context.forward(decoded);
        }
    }

    /** The sighting, keyed by identity; null for a record that carries none; throws when invalid. */
    abstract Record<String, Decoded> decode(Record<String, byte[]> record);
}
