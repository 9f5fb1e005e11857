package io.csrflow.scheduler.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * The three stores of one task, kept consistent: a tracked certificate has its inventory entry, one
 * due-index entry at its {@code nextNoticeAt} (if it has one) and one node-index entry (if it is a
 * node's). The task reads and writes them only through this class.
 */
final class InventoryStores {
    private static final byte[] PRESENT = new byte[0];

    private final KeyValueStore<String, TrackedCertificate> inventory;
    private final KeyValueStore<Bytes, byte[]> due;
    private final KeyValueStore<String, byte[]> byNode;

    /** A node-index entry: the identity of a certificate of that node. */
    record OnNode(String nodeName, String identity) {
    }

    /** Consecutive node-index entries, and the cursor of the slice after them (null: back to the start). */
    record NodeSlice(List<OnNode> entries, String next) {
    }

    InventoryStores(ProcessorContext<?, ?> context) {
        this.inventory = context.getStateStore(StoreNames.INVENTORY);
        this.due = context.getStateStore(StoreNames.DUE_INDEX);
        this.byNode = context.getStateStore(StoreNames.NODE_INDEX);
    }

    TrackedCertificate get(String identity) {
        return inventory.get(identity);
    }

    void store(TrackedCertificate t) {
        String key = t.identity().key();
        inventory.put(key, t);
        if (t.nextNoticeAt() != null) {
            due.put(DueKey.of(t.nextNoticeAt(), key), PRESENT);
        }
        if (t.nodeName() != null) {
            byNode.put(NodeKey.of(t.nodeName(), key), PRESENT);
        }
    }

    /** Puts the due-index entry of {@code t}, taken by {@link #takeDue}, back unchanged: still due. */
    void keepDue(TrackedCertificate t) {
        if (t.nextNoticeAt() != null) {
            due.put(DueKey.of(t.nextNoticeAt(), t.identity().key()), PRESENT);
        }
    }

    void forget(TrackedCertificate t) {
        String key = t.identity().key();
        inventory.delete(key);
        if (t.nextNoticeAt() != null) {
            due.delete(DueKey.of(t.nextNoticeAt(), key));
        }
        if (t.nodeName() != null) {
            byNode.delete(NodeKey.of(t.nodeName(), key));
        }
    }

    /**
     * Takes up to {@code limit} entries due at or before {@code now} off the due index, earliest
     * first, and returns the certificates they stand for. Each returned certificate has no due entry
     * left until the caller stores it again (with its next time) or forgets it.
     */
    List<TrackedCertificate> takeDue(Instant now, int limit) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = due.range(DueKey.first(), DueKey.after(now))) {
            while (it.hasNext() && keys.size() < limit) {
                Bytes key = it.next().key;
                // range() includes its upper bound; after(now) is the first instant not yet due.
                if (!DueKey.time(key).isAfter(now)) {
                    keys.add(key);
                }
            }
        }
        List<TrackedCertificate> taken = new ArrayList<>();
        for (Bytes key : keys) {
            due.delete(key);
            TrackedCertificate tracked = inventory.get(DueKey.identity(key));
            if (tracked == null || tracked.nextNoticeAt() == null
                    || !key.equals(DueKey.of(tracked.nextNoticeAt(), tracked.identity().key()))) {
                continue; // an index entry left behind by a replaced certificate
            }
            taken.add(tracked);
        }
        return taken;
    }

    /** The earliest time in the due index, if any (an entry left behind by a replaced certificate counts). */
    Optional<Instant> nextDue() {
        try (KeyValueIterator<Bytes, byte[]> it = due.range(DueKey.first(), null)) {
            return it.hasNext() ? Optional.of(DueKey.time(it.next().key)) : Optional.empty();
        }
    }

    List<TrackedCertificate> trackedOnNode(String nodeName) {
        List<TrackedCertificate> found = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = byNode.prefixScan(NodeKey.prefix(nodeName),
                new StringSerializer())) {
            while (it.hasNext()) {
                TrackedCertificate t = inventory.get(NodeKey.identity(it.next().key));
                if (t != null) {
                    found.add(t);
                }
            }
        }
        return found;
    }

    /** Up to {@code limit} node-index entries from the cursor {@code from} (null: the start). */
    NodeSlice nodeSlice(String from, int limit) {
        List<OnNode> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = from == null ? byNode.all() : byNode.range(from, null)) {
            String last = null;
            while (it.hasNext() && entries.size() < limit) {
                last = it.next().key;
                entries.add(new OnNode(NodeKey.node(last), NodeKey.identity(last)));
            }
            return new NodeSlice(entries, it.hasNext() && last != null ? last + '\u0000' : null);
        }
    }
}
