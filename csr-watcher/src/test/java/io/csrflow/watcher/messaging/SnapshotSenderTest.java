package io.csrflow.watcher.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.CsrTracing;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.KafkaBrokers;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A snapshot that cannot be made into a record must not hold its object's slot: the object's later
 * snapshots, and every other object's, still reach the topic. Snapshots are validated when they are
 * built, so no snapshot of a real object is known to fail; here the kind's uid (which names the
 * trace) throws for one version, standing in for any failure in making the record (a failed send
 * is retried instead).
 */
class SnapshotSenderTest {
    private static final String TOPIC = "csrflow.csr.observed.sender-test";
    private static final String UNENCODABLE = "13";
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static String bootstrapServers;

    @BeforeAll
    static void createTopic() {
        bootstrapServers = KafkaBrokers.shared();
        KafkaBrokers.createTopics(bootstrapServers, 3, List.of(TOPIC));
    }

    @Test
    void aSnapshotThatCannotBeMadeIntoARecordIsDroppedAndTheObjectsNextSnapshotIsSent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventProbe<CsrObserved> probe = new EventProbe<>(bootstrapServers, EventType.CSR_OBSERVED, TOPIC);
             KafkaProducer<String, byte[]> producer = producer()) {
            SnapshotKind<CsrObserved> csrs = SnapshotKind.csrs(TOPIC);
            SnapshotKind<CsrObserved> failingOnce = new SnapshotKind<>(csrs.type(), csrs.topic(), csrs.name(),
                    csrs.metrics(), csrs.span(), snapshot -> {
                        if (snapshot.resourceVersion().equals(UNENCODABLE)) {
                            throw new IllegalStateException("cannot trace " + snapshot.name());
                        }
                        return snapshot.uid();
                    }, csrs.resourceVersion(), csrs.deleted());
            SnapshotSender<CsrObserved> sender = new SnapshotSender<>(failingOnce, () -> producer,
                    new EventCodec("/csrflow/csr-watcher", Clock.fixed(NOW, ZoneOffset.UTC)),
                    Backoff.constant(Duration.ofMillis(50)), CsrTracing.off(), registry);
            sender.start();
            try {
                sender.offer(snapshot("node-csr-a", UNENCODABLE));
                sender.offer(snapshot("node-csr-b", "1"));
                await().atMost(Duration.ofSeconds(30)).until(() -> versionsOf(probe, "node-csr-b").equals(List.of("1")));

                sender.offer(snapshot("node-csr-a", "14"));
                await().atMost(Duration.ofSeconds(30)).until(() -> versionsOf(probe, "node-csr-a").equals(List.of("14")));

                assertEquals(1.0, registry.counter("csrflow.watcher.events.dropped", "reason", "unencodable").count());
                // The probe may read the record before the producer's callback has settled its slot.
                await().atMost(Duration.ofSeconds(10)).until(() -> sender.backlog() == 0);
                assertEquals(0.0, registry.counter("csrflow.watcher.publish.failures").count(),
                        "a snapshot that cannot be made into a record is not retried");
            } finally {
                sender.stop();
            }
        }
    }

    private static List<String> versionsOf(EventProbe<CsrObserved> probe, String name) {
        return probe.matching(csr -> csr.name().equals(name)).stream().map(CsrObserved::resourceVersion).toList();
    }

    private static CsrObserved snapshot(String name, String resourceVersion) {
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).withUid("uid-" + name).withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec().withSignerName("kubernetes.io/kube-apiserver-client-kubelet").withUsername("system:node:worker")
                .endSpec()
                .build();
        return CsrSnapshots.of(csr, false, NOW);
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
