package io.csrflow.e2e;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What an operator does with {@code kafka-consumer-groups.sh}: rewind a group, watch it catch up. */
final class ConsumerGroups implements AutoCloseable {
    private final Admin admin;

    ConsumerGroups(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin = Admin.create(props);
    }

    /** Moves an inactive group's offsets on these topics to the beginning. */
    void rewind(String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        offsets(topics, OffsetSpec.earliest()).forEach((partition, offset) ->
                start.put(partition, new OffsetAndMetadata(offset)));
        admin.alterConsumerGroupOffsets(group, start).all().get(30, TimeUnit.SECONDS);
    }

    /** True when the group has committed, on every partition of these topics, at least the current end. */
    boolean caughtUp(String group, List<String> topics) throws Exception {
        Map<TopicPartition, Long> end = offsets(topics, OffsetSpec.latest());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
    }

    /** The sum of the end offsets of a topic's partitions: how many records it ever got. */
    long records(String topic) throws Exception {
        return offsets(List.of(topic), OffsetSpec.latest()).values().stream().mapToLong(Long::longValue).sum();
    }

    private Map<TopicPartition, Long> offsets(List<String> topics, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), spec)));
        Map<TopicPartition, Long> result = new HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((partition, info) ->
                result.put(partition, info.offset()));
        return result;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
