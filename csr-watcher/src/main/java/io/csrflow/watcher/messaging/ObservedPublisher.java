package io.csrflow.watcher.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrLogContext;
import io.csrflow.service.CsrTrace;
import io.csrflow.service.KafkaBootstrap;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.domain.LatestSnapshotOutbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.common.annotation.Identifier;

/**
 * Publishes {@code csr.observed} snapshots with an idempotent, acks=all producer. Snapshots wait in
 * a {@link LatestSnapshotOutbox} until the broker has them; while Kafka is unreachable the outbox
 * keeps the latest snapshot per CSR and one thread retries with backoff, so the informer never
 * blocks and nothing is lost. The producer is made by that thread once the broker's name resolves
 * ({@link KafkaBootstrap}); until then snapshots wait in the outbox the same way.
 */
@ApplicationScoped
public class ObservedPublisher {
    private static final Logger LOG = Logger.getLogger(ObservedPublisher.class);
    private static final int NO_PAUSE = -1;

    private final LatestSnapshotOutbox<CsrObserved> outbox = new LatestSnapshotOutbox<>();
    private final Map<String, Object> kafkaConfig;
    private final WatcherConfig config;
    private final MeterRegistry registry;
    private final EventCodec codec;
    private final Counter failures;
    private final Tracer tracer;
    private final Backoff backoff;
    private final KafkaBootstrap bootstrap;
    /** Failed sends since the broker last acknowledged one: the next pause grows with it. */
    private final AtomicInteger failuresInARow = new AtomicInteger();
    /** The retry number whose pause the sender owes before its next send, or {@link #NO_PAUSE}. */
    private final AtomicInteger pauseOwed = new AtomicInteger(NO_PAUSE);
    private volatile KafkaProducer<String, byte[]> producer;
    private Thread sender;
    private volatile boolean running = true;

    @Inject
    ObservedPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, WatcherConfig config,
            MeterRegistry registry, Clock clock, OpenTelemetry openTelemetry, KafkaBootstrap bootstrap) {
        this.tracer = CsrTrace.tracer(openTelemetry);
        this.bootstrap = bootstrap;
        this.kafkaConfig = kafkaConfig;
        this.config = config;
        this.registry = registry;
        WatcherConfig.Publisher settings = config.watcher().publisher();
        this.backoff = new Backoff(settings.retryBackoffMin(), settings.retryBackoffMax());
        this.codec = new EventCodec("/csrflow/csr-watcher", clock);
        this.failures = Counter.builder("csrflow.watcher.publish.failures")
                .description("Sends of csr.observed that failed and will be retried").register(registry);
        registry.gauge("csrflow.watcher.pending.backlog", outbox, LatestSnapshotOutbox::backlog);
    }

    @PostConstruct
    void start() {
        sender = new Thread(this::sendLoop, "csr-observed-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** Queues the latest snapshot of a CSR for publishing. */
    public void publish(CsrObserved snapshot) {
        outbox.offer(snapshot.name(), snapshot);
    }

    /** Drops unsent snapshots (leadership lost: the next leader publishes every CSR again). */
    public void clear() {
        outbox.clear();
    }

    /** Whether a snapshot of the CSR {@code name} has not reached the topic yet. */
    public boolean unacknowledged(String name) {
        return outbox.holds(name);
    }

    public int backlog() {
        return outbox.backlog();
    }

    public boolean alive() {
        return sender != null && sender.isAlive();
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
        // send() must not hold the sender thread for long while the broker is away.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "csr-watcher");
        return props;
    }

    private void sendLoop() {
        if (!connect()) {
            return;
        }
        while (running) {
            try {
                Optional<LatestSnapshotOutbox.Pending<CsrObserved>> next = outbox.poll(500);
                // The pause comes after the poll: a failure reported while the sender waited in it
                // hands the snapshot straight back, and its retry must still wait.
                if (next.isPresent()) {
                    int retry = pauseOwed.getAndSet(NO_PAUSE);
                    if (retry != NO_PAUSE && !backoff.pause(retry)) {
                        return;
                    }
                    send(next.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("csr.observed sender loop error; continuing", e);
            }
        }
    }

    /** Makes the producer once a bootstrap host resolves; false if the service stops first. */
    private boolean connect() {
        for (int attempt = 0; running; attempt++) {
            try {
                bootstrap.await();
                producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (KafkaException e) {
                // The name resolved a moment ago and may not any more: the producer looks it up again.
                LOG.warnf("cannot create the csr.observed producer (%s); retrying in %d ms", e.getMessage(),
                        backoff.delay(attempt).toMillis());
                if (!backoff.pause(attempt)) {
                    return false;
                }
            }
        }
        return false;
    }

    private void send(LatestSnapshotOutbox.Pending<CsrObserved> pending) {
        ProducerRecord<String, byte[]> record = codec.encode(EventType.CSR_OBSERVED, pending.snapshot())
                .toProducerRecord(config.topics().observed());
        // Every observation of a CSR is a span of the CSR's one trace (see CsrTrace), and the record
        // carries it to the approver and the signer.
        CsrObserved snapshot = pending.snapshot();
        CsrTrace.run(tracer, "csr-watcher observe " + snapshot.phase().wireName(), SpanKind.PRODUCER,
                CsrTrace.rootOf(snapshot.uid()), snapshot.name(), () -> CsrTrace.injectCurrent(record.headers()));
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    delivered(pending);
                } else {
                    CsrLogContext.run(pending.key(), () -> failed(pending, error));
                }
            });
        } catch (RuntimeException e) {
            CsrLogContext.run(pending.key(), () -> failed(pending, e));
        }
    }

    private void delivered(LatestSnapshotOutbox.Pending<CsrObserved> pending) {
        outbox.sent(pending);
        failuresInARow.set(0);
        registry.counter("csrflow.watcher.events.published", "phase", pending.snapshot().phase().wireName())
                .increment();
    }

    private void failed(LatestSnapshotOutbox.Pending<CsrObserved> pending, Exception error) {
        if (error instanceof RecordTooLargeException) {
            // Retrying cannot help; say which CSR and move on rather than block every other CSR.
            LOG.errorf("csr.observed for %s is larger than the broker accepts; not published: %s",
                    pending.key(), error.getMessage());
            outbox.sent(pending);
            registry.counter("csrflow.watcher.events.dropped", "reason", "record-too-large").increment();
            return;
        }
        failures.increment();
        int retry = failuresInARow.getAndIncrement();
        // Owed before the slot goes back, so that the sender cannot take the snapshot up without it.
        pauseOwed.accumulateAndGet(retry, Math::max);
        LOG.warnf("publishing csr.observed for %s failed (%s); retrying in %d ms", pending.key(),
                error.getMessage(), backoff.delay(retry).toMillis());
        outbox.failed(pending);
    }

    @PreDestroy
    void stop() {
        running = false;
        if (sender != null) {
            sender.interrupt();
        }
        KafkaProducer<String, byte[]> made = producer;
        if (made != null) {
            made.close(Duration.ofSeconds(5));
        }
    }
}
