package io.csrflow.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.csrflow.events.CloudEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;

/**
 * Reads what lands on a topic from the moment the probe is created, decoding each record with the
 * contract's codec, as an outside consumer of csrflow's events would. Use from one thread.
 */
public final class EventProbe<T> implements AutoCloseable {
    /** One record: key, partition, the decoded event and the record's headers (last value per name). */
    public record Received<T>(String key, int partition, long offset, CloudEvent<T> event, Map<String, String> headers) {
        public T data() {
            return event.data();
        }

        /** The trace id of the record's W3C {@code traceparent} header, or null. */
        public String traceId() {
            String traceparent = headers.get("traceparent");
            return traceparent == null || traceparent.length() < 35 ? null : traceparent.substring(3, 35);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventType<T> type;
    private final List<Received<T>> received = new ArrayList<>();

    public EventProbe(String bootstrapServers, EventType<T> type, String topic) {
        this.type = type;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    public static <T> EventProbe<T> onDefaultTopic(String bootstrapServers, EventType<T> type) {
        return new EventProbe<>(bootstrapServers, type, type.defaultTopic());
    }

    /** Everything received so far, after reading what has arrived since the last call. */
    public List<Received<T>> received() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            Map<String, String> headers = new HashMap<>();
            record.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            received.add(new Received<>(record.key(), record.partition(), record.offset(),
                    EventCodec.decode(type, record.headers(), record.value()), Map.copyOf(headers)));
        }
        return List.copyOf(received);
    }

    /** The payloads received so far that match. */
    public List<T> matching(Predicate<T> filter) {
        return received().stream().map(Received::data).filter(filter).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
