package io.csrflow.fleet;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.csrflow.events.EventCodec;
import io.csrflow.events.EventFormatException;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;

/**
 * Reads {@code cert.renewal-due} (committed records only: the scheduler writes transactionally).
 * Each simulator has a group of its own and starts at the end of the topic: its nodes live in
 * memory, so notices from before it started are for certificates it never held.
 */
final class RenewalListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RenewalListener.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int assignedPartitions;

    RenewalListener(String bootstrapServers, java.util.Map<String, String> clientSettings, String topic,
            Consumer<RenewalDue> onNotice) {
        Properties properties = new Properties();
        properties.putAll(clientSettings);
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "fleet-simulator-" + UUID.randomUUID());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(properties);
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                assignedPartitions = 0;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assignedPartitions = partitions.size();
            }
        });
        this.thread = new Thread(() -> run(onNotice), "renewal-listener");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run(Consumer<RenewalDue> onNotice) {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        onNotice.accept(EventCodec.decode(EventType.RENEWAL_DUE, record.headers(), record.value()).data());
                    } catch (EventFormatException | IllegalArgumentException e) {
                        LOG.warn("skipping an unreadable renewal-due record at offset {}: {}", record.offset(),
                                e.getMessage());
                    } catch (RuntimeException e) {
                        LOG.error("renewal-due record at offset {} could not be handled", record.offset(), e);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Waits until the consumer has its partitions: from then on no notice is missed. */
    boolean awaitAssignment(Duration timeout) throws InterruptedException {
        long giveUpAt = System.nanoTime() + timeout.toNanos();
        while (assignedPartitions == 0 && System.nanoTime() < giveUpAt) {
            Thread.sleep(100);
        }
        return assignedPartitions > 0;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
