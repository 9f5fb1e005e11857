package io.csrflow.fleet;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Fresh keys made ahead by a background thread, so that a kubelet's CSR does not wait for key
 * generation: at most {@code capacity} wait in the pool. Every key is handed out once; when the pool
 * is empty (a burst of starts), the key is made on the spot instead, as before.
 */
final class KeyPool implements AutoCloseable {
    private final BlockingQueue<KeyMaterial> ready;
    private final Supplier<KeyMaterial> generator;
    private final Thread filler;
    private final AtomicLong madeOnTheSpot = new AtomicLong();

    KeyPool(String name, int capacity, Supplier<KeyMaterial> generator) {
        this.ready = new ArrayBlockingQueue<>(capacity);
        this.generator = generator;
        this.filler = new Thread(this::fill, "fleet-keys-" + name);
        filler.setDaemon(true);
        filler.start();
    }

    /** A key no one else got. */
    KeyMaterial take() {
        KeyMaterial key = ready.poll();
        if (key != null) {
            return key;
        }
        madeOnTheSpot.incrementAndGet();
        return generator.get();
    }

    /** How many keys {@link #take} had to make itself because the pool was empty. */
    long madeOnTheSpot() {
        return madeOnTheSpot.get();
    }

    private void fill() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                ready.put(generator.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        filler.interrupt();
    }
}
