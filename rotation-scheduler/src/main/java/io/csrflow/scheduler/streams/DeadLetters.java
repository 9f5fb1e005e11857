package io.csrflow.scheduler.streams;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.streams.processor.api.Record;

/** Marks a record for the dead-letter topic: the original value, plus headers saying why and whence. */
final class DeadLetters {
    static final String REASON_HEADER = "csrflow-dlq-reason";
    static final String TOPIC_HEADER = "csrflow-dlq-topic";

    private DeadLetters() {
    }

    static <K> Record<K, Decoded> reject(Record<K, byte[]> input, String topic, String reason) {
        Record<K, Decoded> rejected = input.withValue(Decoded.rejected(input.value()));
        rejected.headers().remove(REASON_HEADER).remove(TOPIC_HEADER)
                .add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
                .add(TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        return rejected;
    }
}
