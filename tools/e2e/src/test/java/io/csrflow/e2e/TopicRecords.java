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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads csrflow's topics from the beginning, as any consumer of the contract could. */
final class TopicRecords {
    private static final List<String> TOPICS = List.of("csrflow.csr.observed", "csrflow.csr.decisions",
            "csrflow.cert.issued");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TopicRecords() {
    }

    /** Per topic, the traceparent trace id of every record whose payload names {@code csrName}. */
    static Map<String, List<String>> traceIdsByTopic(String bootstrapServers, String csrName) {
        Map<String, List<String>> byTopic = new TreeMap<>();
        String quoted = "\"" + csrName + "\"";
        for (ConsumerRecord<String, byte[]> record : readAll(bootstrapServers, TOPICS)) {
            if (new String(record.value(), StandardCharsets.UTF_8).contains(quoted)) {
                Header traceparent = record.headers().lastHeader("traceparent");
                String id = traceparent == null ? "none"
                        : new String(traceparent.value(), StandardCharsets.UTF_8).substring(3, 35);
                byTopic.computeIfAbsent(record.topic(), t -> new ArrayList<>()).add(id);
            }
        }
        return byTopic;
    }

    /** The {@code ce_id} of every committed record of a topic, in order. */
    static List<String> eventIds(String bootstrapServers, String topic) {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(bootstrapServers, List.of(topic))) {
            Header id = record.headers().lastHeader("ce_id");
            ids.add(id == null ? "none" : new String(id.value(), StandardCharsets.UTF_8));
        }
        return ids;
    }

    /** The payload of every committed record of a topic, as JSON. */
    static List<JsonNode> payloads(String bootstrapServers, String topic) {
        return timed(bootstrapServers, List.of(topic)).stream().map(Timed::payload).toList();
    }

    /** A committed record's topic, broker timestamp (ms) and payload. */
    record Timed(String topic, long timestamp, JsonNode payload) {
    }

    /** Every committed record of these topics, with its timestamp. */
    static List<Timed> timed(String bootstrapServers, List<String> topics) {
        List<Timed> timed = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(bootstrapServers, topics)) {
            try {
                timed.add(new Timed(record.topic(), record.timestamp(), JSON.readTree(record.value())));
            } catch (java.io.IOException e) {
                throw new AssertionError("a record on " + record.topic() + " is not JSON", e);
            }
        }
        return timed;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, List<String> topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(topic -> consumer.partitionsFor(topic, Duration.ofSeconds(10))
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
