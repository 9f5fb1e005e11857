package io.csrflow.scheduler.streams;

import java.time.Duration;
import java.time.Instant;

import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;

/**
 * Stops tracking the identities of deleted Nodes in one task: the deletions the informer saw, at
 * the next tick, and those no replica saw, by a sweep over the node index. Absence of a Node counts
 * only once the directory has synced, and only for a certificate older than the grace period.
 */
final class NodeGarbageCollector {
    private final NodeDirectory nodes;
    private final InventoryStores stores;
    private final Duration grace;
    private final int sweepBatch;
    private final SchedulerMeters meters;
    private long deletionsSeen;
    private String sweepFrom;

    NodeGarbageCollector(NodeDirectory nodes, InventoryStores stores, SchedulerSettings settings,
            SchedulerMeters meters) {
        this.nodes = nodes;
        this.stores = stores;
        this.grace = settings.nodeGrace();
        this.sweepBatch = settings.sweepBatch();
        this.meters = meters;
    }

    void applyDeletions() {
        for (NodeDirectory.NodeDeletion deletion : nodes.deletionsAfter(deletionsSeen)) {
            deletionsSeen = deletion.sequence();
            for (TrackedCertificate tracked : stores.trackedOnNode(deletion.nodeName())) {
                // A certificate first seen after the deletion belongs to a new Node of the same name.
                if (!tracked.seenAt().isAfter(deletion.deletedAt())) {
                    remove(tracked);
                }
            }
        }
    }

    /**
     * Looks at a slice of the node index each tick, so that the identities of Nodes deleted while
     * no replica watched are removed within one pass over the index, without a stop-the-world scan.
     */
    void sweepOrphans(Instant now) {
        if (!nodes.synced()) {
            return;
        }
        InventoryStores.NodeSlice slice = stores.nodeSlice(sweepFrom, sweepBatch);
        sweepFrom = slice.next();
        for (InventoryStores.OnNode entry : slice.entries()) {
            if (!nodes.exists(entry.nodeName())) {
                TrackedCertificate t = stores.get(entry.identity());
                if (t != null) {
                    removeIfNodeGone(t, now);
                }
            }
        }
    }

    /** Forgets {@code t} if its Node is gone; true if it did. */
    boolean removeIfNodeGone(TrackedCertificate t, Instant now) {
        boolean gone = t.nodeName() != null && nodes.synced() && !nodes.exists(t.nodeName())
                && t.seenAt().plus(grace).isBefore(now);
        if (gone) {
            remove(t);
        }
        return gone;
    }

    private void remove(TrackedCertificate t) {
        stores.forget(t);
        meters.removed("node-deleted");
    }
}
