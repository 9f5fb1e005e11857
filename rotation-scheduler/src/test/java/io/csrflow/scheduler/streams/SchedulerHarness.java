package io.csrflow.scheduler.streams;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.inventory.OverduePlan;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.PodDirectory;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.MutableClock;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.service.CsrTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A scheduler topology on the real test broker, with its own topics and application id, a clock
 * the test moves, and as many instances as a test starts (they share the application id, so they
 * share partitions as replicas do).
 */
final class SchedulerHarness implements AutoCloseable {
    static final Duration FIRST_REMINDER = Duration.ofHours(1);
    static final Duration MAX_REMINDER = Duration.ofHours(4);
    static final Duration RETENTION = Duration.ofDays(1);
    static final Duration OVERDUE_MARGIN = Duration.ofMinutes(10);

    final String bootstrap = KafkaBrokers.shared();
    final MutableClock clock;
    final SchedulerSettings settings;
    final String applicationId;
    private final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec;
    private final List<SchedulerStreams> instances = new ArrayList<>();
    private final List<EventProbe<?>> probes = new ArrayList<>();

    SchedulerHarness(Instant start, int partitions) {
        this(start, partitions, TestCertificates.trustBundle());
    }

    SchedulerHarness(Instant start, int partitions, Path trustBundleDir) {
        this(start, partitions, trustBundleDir, Duration.ofMillis(100));
    }

    /**
     * @param trustBundleDir where the signer's trust bundle is mounted; it may be missing or empty
     * @param tick           how often each task reads its deadline index
     */
    SchedulerHarness(Instant start, int partitions, Path trustBundleDir, Duration tick) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        clock = new MutableClock(start);
        applicationId = "scheduler-test-" + suffix;
        NoticePlan notices = new NoticePlan(FIRST_REMINDER, MAX_REMINDER, RETENTION);
        settings = new SchedulerSettings(
                new SchedulerSettings.Topics("issued-" + suffix, "observed-" + suffix, "pcr-observed-" + suffix,
                        "renewal-due-" + suffix, "dlq-" + suffix),
                "/csrflow/rotation-scheduler-test", new DeadlinePolicy.KubeletJitter(),
                notices, tick, 10_000,
                Duration.ofMinutes(15), 100,
                CertificateTrust.fromDirectory(trustBundleDir, new BouncyCastleProvider()),
                new OverduePlan(OVERDUE_MARGIN, notices), 100);
        SchedulerSettings.Topics t = settings.topics();
        KafkaBrokers.createTopics(bootstrap, partitions, List.of(t.issued(), t.observed(), t.podCertificates(),
                t.renewalDue()));
        KafkaBrokers.createTopics(bootstrap, 1, List.of(t.deadLetter()));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        codec = new EventCodec("/test", Clock.systemUTC());
    }

    /** Starts one more instance and waits until it runs. */
    SchedulerStreams start(NodeDirectory nodes) {
        SchedulerStreams instance = startNoWait(nodes);
        await().atMost(Duration.ofSeconds(60)).until(() -> instance.status().running());
        return instance;
    }

    SchedulerStreams startNoWait(NodeDirectory nodes) {
        return startNoWait(nodes, PodDirectory.NONE);
    }

    /** Starts one more instance that looks pods up in {@code pods}, and waits until it runs. */
    SchedulerStreams start(NodeDirectory nodes, PodDirectory pods) {
        SchedulerStreams instance = startNoWait(nodes, pods);
        await().atMost(Duration.ofSeconds(60)).until(() -> instance.status().running());
        return instance;
    }

    SchedulerStreams startNoWait(NodeDirectory nodes, PodDirectory pods) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("scheduler-state");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> config = Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                StreamsConfig.APPLICATION_ID_CONFIG, applicationId,
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        SchedulerStreams instance = new SchedulerStreams(config, settings, nodes, pods, clock, new SimpleMeterRegistry(),
                CsrTracing.off())
                .start();
        instances.add(instance);
        return instance;
    }

    <T> void send(EventType<T> type, String topic, T payload) {
        sendRecord(encoded(type, topic, payload));
    }

    /** The record {@link #send} would send, to be altered first. */
    <T> ProducerRecord<String, byte[]> encoded(EventType<T> type, String topic, T payload) {
        return codec.encode(type, payload).toProducerRecord(topic);
    }

    /** An event under a key of the test's choosing (a producer that keys the topic wrongly). */
    <T> void sendKeyed(EventType<T> type, String topic, String key, T payload) {
        ProducerRecord<String, byte[]> record = encoded(type, topic, payload);
        sendRecord(new ProducerRecord<>(topic, null, key, record.value(), record.headers()));
    }

    void sendRaw(String topic, String key, byte[] value) {
        sendRecord(new ProducerRecord<>(topic, key, value));
    }

    void sendRecord(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate {@code instance}'s inventory tracks for {@code identity} (key), once it does. */
    TrackedCertificate awaitTracked(SchedulerStreams instance, String identity) {
        await().atMost(Duration.ofSeconds(20)).until(() -> instance.localInventory().get(identity).isPresent());
        return instance.localInventory().get(identity).orElseThrow();
    }

    EventProbe<RenewalDue> renewals() {
        EventProbe<RenewalDue> probe = new EventProbe<>(bootstrap, EventType.RENEWAL_DUE, settings.topics().renewalDue());
        probes.add(probe);
        return probe;
    }

    @Override
    public void close() {
        instances.forEach(SchedulerStreams::close);
        probes.forEach(EventProbe::close);
        producer.close();
    }
}
