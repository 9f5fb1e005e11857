package io.csrflow.watcher.domain;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What is still to be published, one latest snapshot per key. A newer snapshot replaces an unsent
 * older one, so memory is bounded by the number of keys (CSRs), however long Kafka is away. At most
 * one snapshot per key is in flight, so a key's snapshots reach the topic in the order they were
 * observed. Thread-safe.
 */
public final class LatestSnapshotOutbox<T> {
    /** A snapshot handed out for sending; report back with its {@code sequence}. */
    public record Pending<T>(String key, T snapshot, long sequence) {
    }

    private static final class Slot<T> {
        T snapshot;
        long sequence;
        boolean inFlight;
    }

    private final Map<String, Slot<T>> slots = new HashMap<>();
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    private long nextSequence;

    public synchronized void offer(String key, T snapshot) {
        Slot<T> slot = slots.computeIfAbsent(key, k -> new Slot<>());
        boolean waiting = slot.snapshot != null && !slot.inFlight;
        slot.snapshot = snapshot;
        slot.sequence = ++nextSequence;
        if (!slot.inFlight && !waiting) {
            ready.addLast(key);
        }
        notifyAll();
    }

    /** The next snapshot to send, waiting up to {@code timeoutMillis}; marks its key in flight. */
    public synchronized Optional<Pending<T>> poll(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (ready.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(left);
        }
        String key = ready.pollFirst();
        Slot<T> slot = slots.get(key);
        slot.inFlight = true;
        return Optional.of(new Pending<>(key, slot.snapshot, slot.sequence));
    }

    /** The broker has the snapshot: forget it unless a newer one arrived meanwhile. */
    public synchronized void sent(Pending<T> pending) {
        Slot<T> slot = slots.get(pending.key());
        if (slot == null) {
            return;
        }
        slot.inFlight = false;
        if (slot.sequence == pending.sequence()) {
            slots.remove(pending.key());
        } else {
            ready.addLast(pending.key());
            notifyAll();
        }
    }

    /** Sending failed: keep the key's latest snapshot and offer it again. */
    public synchronized void failed(Pending<T> pending) {
        Slot<T> slot = slots.get(pending.key());
        if (slot == null) {
            return;
        }
        slot.inFlight = false;
        ready.addLast(pending.key());
        notifyAll();
    }

    /** Drops everything, e.g. when leadership is lost and the next leader re-lists all CSRs. */
    public synchronized void clear() {
        slots.clear();
        ready.clear();
    }

    /** Keys with a snapshot not yet acknowledged by the broker (in flight or waiting). */
    public synchronized int backlog() {
        return slots.size();
    }
}
