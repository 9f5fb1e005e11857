package io.csrflow.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads csrflow's topics from the beginning, as any consumer of the contract could. */
final class TopicRecords {
    private static final List<String> TOPICS = List.of("csrflow.csr.observed", "csrflow.csr.decisions",
            "csrflow.cert.issued");

    private TopicRecords() {
    }

    /** Per topic, the traceparent trace id of every record whose payload names {@code csrName}. */
    static Map<String, List<String>> traceIdsByTopic(String bootstrapServers, String csrName) {
        Map<String, List<String>> byTopic = new TreeMap<>();
        String quoted = "\"" + csrName + "\"";
        for (ConsumerRecord<String, byte[]> record : readAll(bootstrapServers)) {
            if (new String(record.value(), StandardCharsets.UTF_8).contains(quoted)) {
                Header traceparent = record.headers().lastHeader("traceparent");
                String id = traceparent == null ? "none"
                        : new String(traceparent.value(), StandardCharsets.UTF_8).substring(3, 35);
                byTopic.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(id);
            }
        }
        return byTopic;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            TOPICS.forEach(topic -> consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long giveUpAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < giveUpAt) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }
}
