package io.csrflow.watcher.domain;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What is still to be published, one latest snapshot per key. A newer snapshot replaces an unsent
 * older one, so memory is bounded by the number of keys (CSRs), however long Kafka is away. At most
 * one snapshot per key is in flight, so a key's snapshots reach the topic in the order they were
 * observed; this holds across {@link #clear()} too: a key whose send from before the clear is still
 * in flight is not handed out again until that send reports back. It also tells which version of an
 * object the broker has ({@link #acknowledged}), for whoever may act only on a published state.
 * Thread-safe.
 */
public final class LatestSnapshotOutbox<T> {
    /**
     * A snapshot handed out for sending; report it back with {@link #sent} or {@link #failed}.
     * {@code sequence} names this hand-out; {@code generation} is the outbox's generation at the
     * time, so a report from before a {@link #clear()} is recognised as such.
     */
    public record Pending<T>(String key, T snapshot, long sequence, long generation) {
    }

    private static final class Slot<T> {
        /** Newest snapshot not yet handed out; null if none. */
        T waiting;
        /** Sequence of the hand-out in flight; 0 if none. */
        long inFlight;
    }

    private final Function<T, String> version;
    private final Predicate<T> last;
    private final Map<String, Slot<T>> slots = new HashMap<>();
    /**
     * Per key, the version of the newest snapshot the broker acknowledged since the last clear; a
     * key's entry goes with the acknowledgement of its last state, so this too is bounded by the keys.
     */
    private final Map<String, String> acknowledged = new HashMap<>();
    /** Exactly the keys whose slot has a waiting snapshot and nothing in flight, each once. */
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    private long nextSequence;
    private long generation;

    /**
     * @param version the object's version a snapshot shows (a resourceVersion)
     * @param last    whether a snapshot is the object's last state (it was deleted): nothing follows it
     */
    public LatestSnapshotOutbox(Function<T, String> version, Predicate<T> last) {
        this.version = Objects.requireNonNull(version, "version");
        this.last = Objects.requireNonNull(last, "last");
    }

    public synchronized void offer(String key, T snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        Slot<T> slot = slots.computeIfAbsent(key, k -> new Slot<>());
        boolean idle = slot.waiting == null && slot.inFlight == 0;
        slot.waiting = snapshot;
        if (idle) {
            ready.addLast(key);
            notifyAll();
        }
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
        Pending<T> pending = new Pending<>(key, slot.waiting, ++nextSequence, generation);
        slot.waiting = null;
        slot.inFlight = pending.sequence();
        return Optional.of(pending);
    }

    /**
     * The broker has the snapshot, or it was dropped as one no retry could publish: forget the key
     * unless a newer snapshot arrived meanwhile.
     */
    public synchronized void sent(Pending<T> pending) {
        Slot<T> slot = settle(pending);
        if (slot != null) {
            remember(pending);
            requeueOrForget(pending.key(), slot);
        }
    }

    /**
     * Whether the broker acknowledged the snapshot of {@code key} at exactly {@code version} since
     * the last {@link #clear()} (or it was dropped, see {@link #sent}). False for a version not
     * acknowledged yet: waiting, in flight, or not even offered (the informer's cache may show a
     * state before it is offered here).
     */
    public synchronized boolean acknowledged(String key, String version) {
        return version != null && version.equals(acknowledged.get(key));
    }

    /** Sending failed: keep the key's latest snapshot and offer it again. */
    public synchronized void failed(Pending<T> pending) {
        Slot<T> slot = settle(pending);
        if (slot == null) {
            return;
        }
        // A snapshot handed out before a clear was dropped by it; the next leader publishes the CSR
        // again, so retrying it would only repeat (or, after a newer one, reorder) that snapshot.
        if (slot.waiting == null && pending.generation() == generation) {
            slot.waiting = pending.snapshot();
        }
        requeueOrForget(pending.key(), slot);
    }

    /**
     * Drops every snapshot not yet handed out, e.g. when leadership is lost and the next leader
     * re-lists all CSRs. Sends in flight keep their keys' slots until they report back, so a key
     * offered again meanwhile waits behind its older snapshot instead of racing it to the topic.
     * Which versions the broker acknowledged is forgotten too (a replica leading again lists and
     * publishes every object anew), so that objects deleted meanwhile leave no entry behind (but for
     * a send in flight at the clear, or an offer racing it: at most a few entries per term).
     */
    public synchronized void clear() {
        generation++;
        ready.clear();
        acknowledged.clear();
        slots.values().removeIf(slot -> slot.inFlight == 0);
        slots.values().forEach(slot -> slot.waiting = null);
    }

    /** Keys with a snapshot not yet acknowledged by the broker (in flight or waiting). */
    public synchronized int backlog() {
        return slots.size();
    }

    /** Ends the pending's hand-out; null if it is not the key's hand-out in flight (already reported). */
    private Slot<T> settle(Pending<T> pending) {
        Slot<T> slot = slots.get(pending.key());
        if (slot == null || slot.inFlight != pending.sequence()) {
            return null;
        }
        slot.inFlight = 0;
        return slot;
    }

    /** A send from before a clear is not remembered: after a clear only what is published again counts. */
    private void remember(Pending<T> pending) {
        if (pending.generation() != generation) {
            return;
        }
        if (last.test(pending.snapshot())) {
            acknowledged.remove(pending.key());
        } else {
            acknowledged.put(pending.key(), version.apply(pending.snapshot()));
        }
    }

    private void requeueOrForget(String key, Slot<T> slot) {
        if (slot.waiting == null) {
            slots.remove(key);
        } else {
            ready.addLast(key);
            notifyAll();
        }
    }
}
