package io.csrflow.watcher.messaging;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

import io.csrflow.events.EventCodec;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrLogContext;
import io.csrflow.service.CsrTrace;
import io.csrflow.service.CsrTracing;
import io.csrflow.watcher.domain.LatestSnapshotOutbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;

/**
 * Gets one kind of snapshot to its topic: a {@link LatestSnapshotOutbox} keyed by the event's key
 * and one thread that sends from it through the publisher's shared producer. While Kafka is away
 * the outbox keeps the latest snapshot per object and the thread retries with backoff, so the
 * informer never blocks and nothing is lost; a slot is freed only by the broker's acknowledgement,
 * or by dropping a snapshot that no retry could publish (logged and counted).
 * Each kind has its own thread and backoff, so one kind's failures never hold the other back.
 */
final class SnapshotSender<T> {
    private static final Logger LOG = Logger.getLogger(SnapshotSender.class);
    private static final int NO_PAUSE = -1;

    /** The producer the senders share; null once the service stops before there is one. */
    interface Producers {
        KafkaProducer<String, byte[]> await();
    }

    private final SnapshotKind<T> kind;
    private final LatestSnapshotOutbox<T> outbox;
    private final Producers producers;
    private final EventCodec codec;
    private final Backoff backoff;
    private final CsrTracing tracing;
    private final MeterRegistry registry;
    private final Counter failures;
    /** Failed sends since the broker last acknowledged one: the next pause grows with it. */
    private final AtomicInteger failuresInARow = new AtomicInteger();
    /** The retry number whose pause the sender owes before its next send, or {@link #NO_PAUSE}. */
    private final AtomicInteger pauseOwed = new AtomicInteger(NO_PAUSE);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaProducer<String, byte[]> producer;

    SnapshotSender(SnapshotKind<T> kind, Producers producers, EventCodec codec, Backoff backoff, CsrTracing tracing,
            MeterRegistry registry) {
        this.kind = kind;
        this.outbox = new LatestSnapshotOutbox<>(kind.resourceVersion(), kind.deleted());
        this.producers = producers;
        this.codec = codec;
        this.backoff = backoff;
        this.tracing = tracing;
        this.registry = registry;
        this.failures = Counter.builder(kind.metrics() + ".publish.failures")
                .description("Sends of " + kind.name() + " that failed and will be retried").register(registry);
        Gauge.builder(kind.metrics() + ".pending.backlog", outbox, LatestSnapshotOutbox::backlog)
                .description("Objects whose latest " + kind.name() + " snapshot the broker has not acknowledged yet")
                .register(registry);
        this.thread = new Thread(this::sendLoop, kind.name().replace('.', '-') + "-sender");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    /** Queues the latest snapshot of an object, replacing an unsent older one. */
    void offer(T snapshot) {
        outbox.offer(kind.type().keyOf(snapshot), snapshot);
    }

    void clear() {
        outbox.clear();
    }

    /** Whether the broker has the object's snapshot at {@code version} (see {@link LatestSnapshotOutbox#acknowledged}). */
    boolean acknowledged(String key, String version) {
        return outbox.acknowledged(key, version);
    }

    int backlog() {
        return outbox.backlog();
    }

    boolean alive() {
        return thread.isAlive();
    }

    private void sendLoop() {
        producer = producers.await();
        if (producer == null) {
            return;
        }
        while (running) {
            try {
                Optional<LatestSnapshotOutbox.Pending<T>> next = outbox.poll(500);
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
                LOG.errorf(e, "%s sender loop error; continuing", kind.name());
            }
        }
    }

    private void send(LatestSnapshotOutbox.Pending<T> pending) {
        ProducerRecord<String, byte[]> record;
        try {
            record = recordOf(pending);
        } catch (RuntimeException e) {
            // The same snapshot would fail the same way on every retry, and its slot would stay in
            // flight for good: no later snapshot of the object would ever be sent.
            CsrLogContext.run(pending.key(), () -> LOG.errorf(e, "%s for %s cannot be made into a record; not "
                    + "published", kind.name(), pending.key()));
            drop(pending, "unencodable");
            return;
        }
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

    private ProducerRecord<String, byte[]> recordOf(LatestSnapshotOutbox.Pending<T> pending) {
        T snapshot = pending.snapshot();
        ProducerRecord<String, byte[]> record = codec.encode(kind.type(), snapshot).toProducerRecord(kind.topic());
        // Every observation of an object is a span of the object's one trace (see CsrTrace), and the
        // record carries it to the services that act on it.
        tracing.run(kind.span() + kind.phase(snapshot), SpanKind.PRODUCER,
                CsrTrace.rootOf(kind.uid().apply(snapshot)), pending.key(),
                () -> CsrTrace.injectCurrent(record.headers()));
        return record;
    }

    private void delivered(LatestSnapshotOutbox.Pending<T> pending) {
        outbox.sent(pending);
        failuresInARow.set(0);
        registry.counter(kind.metrics() + ".events.published", "phase", kind.phase(pending.snapshot()))
                .increment();
    }

    /**
     * Gives up on a snapshot that no retry can publish, settled as if sent: the object's next
     * snapshot may then go, and the cleaner may judge the CSR, which waiting would never allow.
     */
    private void drop(LatestSnapshotOutbox.Pending<T> pending, String reason) {
        outbox.sent(pending);
        registry.counter(kind.metrics() + ".events.dropped", "reason", reason).increment();
    }

    private void failed(LatestSnapshotOutbox.Pending<T> pending, Exception error) {
        if (error instanceof RecordTooLargeException) {
            // Retrying cannot help; say which object and move on rather than block every other one.
            LOG.errorf("%s for %s is larger than the broker accepts; not published: %s", kind.name(),
                    pending.key(), error.getMessage());
            drop(pending, "record-too-large");
            return;
        }
        failures.increment();
        int retry = failuresInARow.getAndIncrement();
        // Owed before the slot goes back, so that the sender cannot take the snapshot up without it.
        pauseOwed.accumulateAndGet(retry, Math::max);
        LOG.warnf("publishing %s for %s failed (%s); retrying in %d ms", kind.name(), pending.key(),
                error.getMessage(), backoff.delay(retry).toMillis());
        outbox.failed(pending);
    }
}
