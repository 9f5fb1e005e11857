package io.csrflow.signer.messaging.outbound;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventFormatException;
import io.csrflow.events.EventType;
import io.csrflow.signer.SignerConfig;
import io.smallrye.common.annotation.Identifier;

/**
 * The certificates {@code cert.issued} announces, by SHA-256 fingerprint, read back from the topic
 * over a look-back window. It reads lazily, without a consumer group: only when asked about a
 * certificate it does not know, and then only what was added to the topic since it last read.
 * Memory is one entry per certificate announced within the window.
 */
@ApplicationScoped
public class IssuedTopicIndex {
    private static final Logger LOG = Logger.getLogger(IssuedTopicIndex.class);
    private static final Duration API_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);
    private static final long CATCH_UP_LIMIT_NANOS = Duration.ofSeconds(30).toNanos();

    private final Map<String, Object> consumerConfig = new HashMap<>();
    private final String topic;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Instant> announced = new HashMap<>();
    private Consumer<String, byte[]> consumer;
    private Instant lastSweep;

    IssuedTopicIndex(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, SignerConfig config,
            Clock clock) {
        // The channel settings include producer and SmallRye keys a plain consumer would warn about.
        kafkaConfig.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                consumerConfig.put(key, value);
            }
        });
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "signer-service-issued-index");
        this.topic = config.topics().issued();
        this.window = config.signer().announcements().window();
        this.clock = clock;
    }

    /** A certificate this replica has just announced (the broker acknowledged it). */
    public synchronized void remember(String fingerprint) {
        announced.put(fingerprint, clock.instant());
        forgetOld();
    }

    /** Whether the certificate is among those published here or read from the topic so far. */
    public synchronized boolean remembered(String fingerprint) {
        return announced.containsKey(fingerprint);
    }

    /**
     * Whether {@code cert.issued} holds the certificate, having read the topic to the end it has now.
     *
     * @throws org.apache.kafka.common.KafkaException if the topic cannot be read to its end in time
     */
    public synchronized boolean announced(String fingerprint) {
        if (remembered(fingerprint)) {
            return true;
        }
        catchUp();
        forgetOld();
        return announced.containsKey(fingerprint);
    }

    /** Certificates announced before the window are not asked about; a sweep a minute is enough. */
    private void forgetOld() {
        Instant now = clock.instant();
        if (lastSweep == null || !now.isBefore(lastSweep.plus(SWEEP_INTERVAL)) || now.isBefore(lastSweep)) {
            Instant oldest = now.minus(window);
            announced.values().removeIf(at -> at.isBefore(oldest));
            lastSweep = now;
        }
    }

    private void catchUp() {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
        }
        assignNewPartitions();
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), API_TIMEOUT);
        long started = System.nanoTime();
        while (behind(ends)) {
            if (System.nanoTime() - started > CATCH_UP_LIMIT_NANOS) {
                throw new TimeoutException(topic + " was not read to its end within 30 s");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                index(record);
            }
        }
    }

    /** Partitions not read yet (all of them at first, more if the topic grew) start at the window's edge. */
    private void assignNewPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, API_TIMEOUT);
        Set<TopicPartition> all = new HashSet<>();
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            all.add(new TopicPartition(info.topic(), info.partition()));
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(consumer.assignment());
        if (added.isEmpty()) {
            return;
        }
        all.addAll(consumer.assignment());
        consumer.assign(all);
        long since = clock.instant().minus(window).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        added.forEach(partition -> query.put(partition, since));
        Map<TopicPartition, OffsetAndTimestamp> first = consumer.offsetsForTimes(query, API_TIMEOUT);
        Map<TopicPartition, Long> ends = consumer.endOffsets(added, API_TIMEOUT);
        for (TopicPartition partition : added) {
            OffsetAndTimestamp at = first.get(partition);
            consumer.seek(partition, at == null ? ends.get(partition) : at.offset());
        }
    }

    private boolean behind(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), API_TIMEOUT) < end.getValue()) {
                return true;
            }
        }
        return false;
    }

    private void index(ConsumerRecord<String, byte[]> record) {
        try {
            CertIssued issued = EventCodec.decode(EventType.CERT_ISSUED, record.headers(), record.value()).data();
            if (issued.sha256Fingerprint() != null) {
                announced.put(issued.sha256Fingerprint(), Instant.ofEpochMilli(record.timestamp()));
            }
        } catch (EventFormatException e) {
            LOG.debugf("skipping a record of %s that is not a cert.issued event (%s-%d@%d): %s", topic,
                    record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @PreDestroy
    synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
