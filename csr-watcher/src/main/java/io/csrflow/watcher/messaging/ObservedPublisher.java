package io.csrflow.watcher.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventCodec;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrTracing;
import io.csrflow.service.KafkaBootstrap;
import io.csrflow.watcher.WatcherConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;

/**
 * Publishes {@code csr.observed} and {@code pcr.observed} snapshots with one idempotent, acks=all
 * producer. Each kind goes through a {@link SnapshotSender} of its own (its outbox keeps the latest
 * snapshot per object until the broker has it, its thread retries with backoff), so the informers
 * never block and nothing is lost while Kafka is away. The producer is made once a bootstrap host
 * resolves ({@link KafkaBootstrap}); until then snapshots wait in the outboxes the same way.
 */
@ApplicationScoped
public class ObservedPublisher {
    private static final Logger LOG = Logger.getLogger(ObservedPublisher.class);

    private final Map<String, Object> kafkaConfig;
    private final WatcherConfig config;
    private final Backoff backoff;
    private final KafkaBootstrap bootstrap;
    private final SnapshotSender<CsrObserved> csrs;
    private final SnapshotSender<PodCertificateObserved> podCertificates;
    private final Object connecting = new Object();
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean running = true;

    @Inject
    ObservedPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, WatcherConfig config,
            MeterRegistry registry, Clock clock, CsrTracing tracing, KafkaBootstrap bootstrap) {
        this.bootstrap = bootstrap;
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        WatcherConfig.Publisher settings = config.watcher().publisher();
        this.backoff = new Backoff(settings.retryBackoffMin(), settings.retryBackoffMax());
        EventCodec codec = new EventCodec("/csrflow/csr-watcher", clock);
        this.csrs = new SnapshotSender<>(SnapshotKind.csrs(config.topics().observed()), this::awaitProducer, codec,
                backoff, tracing, registry);
        this.podCertificates = new SnapshotSender<>(
                SnapshotKind.podCertificates(config.topics().podCertificatesObserved()), this::awaitProducer, codec,
                backoff, tracing, registry);
    }

    @PostConstruct
    void start() {
        senders().forEach(SnapshotSender::start);
    }

    /** Queues the latest snapshot of a CSR for publishing. */
    public void publish(CsrObserved snapshot) {
        csrs.offer(snapshot);
    }

    /** Queues the latest snapshot of a PodCertificateRequest for publishing. */
    public void publish(PodCertificateObserved snapshot) {
        podCertificates.offer(snapshot);
    }

    /** Drops unsent snapshots (leadership lost: the next leader publishes every object again). */
    public void clear() {
        senders().forEach(SnapshotSender::clear);
    }

    /**
     * Whether the broker has the state of the CSR {@code name} at {@code resourceVersion} on
     * csr.observed (or it was dropped as one that no retry could publish: too large, or not
     * encodable); false until this replica's publisher has been offered that state and had it
     * acknowledged in this term of leadership.
     */
    public boolean acknowledged(String name, String resourceVersion) {
        return csrs.acknowledged(name, resourceVersion);
    }

    /** CSRs whose latest snapshot the broker has not acknowledged yet. */
    public int backlog() {
        return csrs.backlog();
    }

    /** PodCertificateRequests whose latest snapshot the broker has not acknowledged yet. */
    public int podCertificateBacklog() {
        return podCertificates.backlog();
    }

    public boolean alive() {
        return senders().stream().allMatch(SnapshotSender::alive);
    }

    private List<SnapshotSender<?>> senders() {
        return List.of(csrs, podCertificates);
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        long delivery = config.watcher().publisher().deliveryTimeout().toMillis();
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(delivery - 10, 10_000));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // send() must not hold a sender thread for long while the broker is away.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "csr-watcher");
        return props;
    }

    /**
     * The shared producer, made by the first sender that asks once a bootstrap host resolves (the
     * others wait for it); null if the service stops first.
     */
    private KafkaProducer<String, byte[]> awaitProducer() {
        synchronized (connecting) {
            for (int attempt = 0; running && producer == null; attempt++) {
                try {
                    bootstrap.await();
                    producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                            new ByteArraySerializer());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (KafkaException e) {
                    // The name resolved a moment ago and may not any more: the producer looks it up again.
                    LOG.warnf("cannot create the csr-watcher producer (%s); retrying in %d ms", e.getMessage(),
                            backoff.delay(attempt).toMillis());
                    if (!backoff.pause(attempt)) {
                        return null;
                    }
                }
            }
            return running ? producer : null;
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        senders().forEach(SnapshotSender::stop);
        KafkaProducer<String, byte[]> made;
        // A sender making the producer right now, interrupted, lets go at once; its producer is closed too.
        synchronized (connecting) {
            made = producer;
        }
        if (made != null) {
            made.close(Duration.ofSeconds(5));
        }
    }
}
