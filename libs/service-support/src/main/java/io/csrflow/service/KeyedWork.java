package io.csrflow.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Work on many CSRs at once, each CSR's work in the order it was handed in: a queue per key, not per
 * partition. A review or a signing spends most of its time waiting on the API, so one at a time per
 * partition made throughput one CSR per round trip; here up to {@code threads} run together, and a
 * CSR whose earlier work still runs waits for it, so two reviews of one CSR never overlap.
 *
 * <p>At most {@code maxQueued} items are held (running or waiting); {@link #submit} answers with a
 * stage that completes once there is room again, which is how the consumer feeding it is held back.
 * An item's {@code done} runs after its work, which is where a Kafka record is acknowledged: the
 * connector commits an offset only when every record before it is acknowledged, so a crash loses
 * nothing that was not finished.
 */
public final class KeyedWork implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyedWork.class);
    private static final CompletableFuture<Void> ROOM = CompletableFuture.completedFuture(null);

    /** One item: the work, and what to do when it finished or failed. */
    public interface Item {
        void run() throws Exception;

        default void finished() {
        }

        default void failed(Throwable error) {
            LOG.errorf(error, "work failed");
        }
    }

    private final ExecutorService workers;
    private final int maxQueued;
    /** Keys with work running; each queue holds that key's work waiting behind it. Guarded by this. */
    private final Map<String, ArrayDeque<Item>> busy = new HashMap<>();
    private final ArrayDeque<CompletableFuture<Void>> waitingForRoom = new ArrayDeque<>();
    private final AtomicInteger queued = new AtomicInteger();

    /**
     * @param name      the worker threads' name and the gauge's ({@code <name>.queued})
     * @param threads   how many items run at once
     * @param maxQueued how many may be held, running or waiting, before {@link #submit} holds back
     */
    public KeyedWork(String name, int threads, int maxQueued, MeterRegistry registry) {
        if (threads < 1 || maxQueued < threads) {
            throw new IllegalArgumentException("threads must be ≥ 1 and max queued ≥ threads");
        }
        this.maxQueued = maxQueued;
        AtomicInteger numbers = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, name + "-" + numbers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        registry.gauge(name + ".queued", queued);
    }

    /**
     * Runs {@code item} after the work handed in earlier for {@code key}.
     *
     * @return a stage that completes when there is room for another item
     */
    public CompletionStage<Void> submit(String key, Item item) {
        boolean startNow;
        CompletableFuture<Void> room;
        synchronized (this) {
            int held = queued.incrementAndGet();
            ArrayDeque<Item> behind = busy.get(key);
            startNow = behind == null;
            if (startNow) {
                busy.put(key, new ArrayDeque<>());
            } else {
                behind.add(item);
            }
            if (held < maxQueued) {
                room = ROOM;
            } else {
                room = new CompletableFuture<>();
                waitingForRoom.add(room);
            }
        }
        if (startNow) {
            execute(key, item);
        }
        return room;
    }

    /** What is done with one Kafka record. */
    public interface RecordHandler {
        void handle(ConsumerRecord<String, byte[]> record) throws Exception;
    }

    /**
     * Hands a Kafka record in under its key (the CSR's name on every csrflow topic); acknowledged when
     * handled, negatively acknowledged when handling failed, which sends it where the channel's
     * failure strategy says (the dead-letter topic).
     *
     * @return a stage that completes when there is room for another record
     */
    public CompletionStage<Void> submit(Message<byte[]> message, RecordHandler handler) {
        @SuppressWarnings("unchecked")
        ConsumerRecord<String, byte[]> record = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(metadata -> (ConsumerRecord<String, byte[]>) metadata.getRecord())
                .orElseThrow(() -> new IllegalStateException("not a record from Kafka"));
        return submit(record.key() == null ? "" : record.key(), new Item() {
            @Override
            public void run() throws Exception {
                handler.handle(record);
            }

            @Override
            public void finished() {
                message.ack();
            }

            @Override
            public void failed(Throwable error) {
                message.nack(error);
            }
        });
    }

    /** Items held, running or waiting. */
    public int queued() {
        return queued.get();
    }

    private void run(String key, Item item) {
        try {
            item.run();
            item.finished();
        } catch (Throwable error) {
            item.failed(error);
        }
        Item next;
        CompletableFuture<Void> room = null;
        synchronized (this) {
            queued.decrementAndGet();
            if (queued.get() < maxQueued) {
                room = waitingForRoom.poll();
            }
            ArrayDeque<Item> behind = busy.get(key);
            next = behind.poll();
            if (next == null) {
                busy.remove(key);
            }
        }
        if (room != null) {
            room.complete(null);
        }
        if (next != null) {
            // Back through the pool rather than a loop here: a busy key does not keep a thread from the others.
            execute(key, next);
        }
    }

    private void execute(String key, Item item) {
        try {
            workers.execute(() -> run(key, item));
        } catch (RejectedExecutionException stopping) {
            // Shutting down: left unacknowledged, the record is consumed again after the restart.
            LOG.debugf("not started at shutdown: work for %s", key);
        }
    }

    /**
     * Lets running work finish for up to {@code grace}; what did not start is dropped unacknowledged,
     * so the broker hands it out again.
     */
    public void close(Duration grace) {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("%d items left unfinished at shutdown; their records will be consumed again", queued.get());
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
