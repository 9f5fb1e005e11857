package io.csrflow.scheduler.streams;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import io.csrflow.events.EncodedEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;

/**
 * The inventory of one partition of identities. Sightings update it; a wall-clock punctuation
 * reads the deadline index up to now and sends what is due. Every write here (stores, output,
 * input offsets) commits in one Kafka transaction, which is what makes a restart neither lose a
 * deadline nor fire one twice.
 */
final class InventoryProcessor implements Processor<String, Sighting, String, byte[]> {
    private static final Logger LOG = Logger.getLogger(InventoryProcessor.class);
    private static final byte[] PRESENT = new byte[0];

    private final SchedulerSettings settings;
    private final NodeDirectory nodes;
    private final Clock clock;
    private final SchedulerMeters meters;
    private final EventCodec codec;

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, TrackedCertificate> inventory;
    private KeyValueStore<Bytes, byte[]> due;
    private KeyValueStore<String, byte[]> byNode;
    private long deletionsSeen;
    private String sweepFrom;

    InventoryProcessor(SchedulerSettings settings, NodeDirectory nodes, Clock clock, SchedulerMeters meters) {
        this.settings = settings;
        this.nodes = nodes;
        this.clock = clock;
        this.meters = meters;
        this.codec = new EventCodec(settings.eventSource(), clock);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inventory = context.getStateStore(StoreNames.INVENTORY);
        this.due = context.getStateStore(StoreNames.DUE_INDEX);
        this.byNode = context.getStateStore(StoreNames.NODE_INDEX);
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, ignored -> tick());
    }

    @Override
    public void process(Record<String, Sighting> record) {
        Sighting seen = record.value();
        TrackedCertificate current = inventory.get(record.key());
        if (current != null && current.sameCertificate(seen)) {
            meters.sighting("duplicate");
            return;
        }
        if (current != null && !current.isOlderThan(seen)) {
            meters.sighting("stale");
            return;
        }
        if (current != null) {
            forget(current);
        }
        TrackedCertificate tracked = TrackedCertificate.track(seen,
                settings.deadlines().deadline(seen.serial(), seen.notBefore(), seen.notAfter()));
        store(tracked);
        meters.sighting(current == null ? "tracked" : "replaced");
    }

    private void tick() {
        Instant now = clock.instant();
        applyNodeDeletions();
        sendDue(now);
        sweepOrphans(now);
    }

    private void sendDue(Instant now) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = due.range(DueKey.first(), DueKey.after(now))) {
            while (it.hasNext() && keys.size() < settings.maxNoticesPerTick()) {
                Bytes key = it.next().key;
                // range() includes its upper bound; after(now) is the first instant not yet due.
                if (!DueKey.time(key).isAfter(now)) {
                    keys.add(key);
                }
            }
        }
        for (Bytes key : keys) {
            act(key, now);
        }
    }

    private void act(Bytes key, Instant now) {
        due.delete(key);
        TrackedCertificate tracked = inventory.get(DueKey.identity(key));
        if (tracked == null || tracked.nextNoticeAt() == null || !DueKey.time(key).equals(
                truncated(tracked.nextNoticeAt()))) {
            return; // an index entry left behind by a replaced certificate
        }
        if (nodeGone(tracked, now)) {
            forget(tracked);
            meters.removed("node-deleted");
            return;
        }
        NoticePlan.Step step = settings.notices().next(tracked, now);
        if (step instanceof NoticePlan.Forget) {
            forget(tracked);
            meters.removed("expired-retention");
            return;
        }
        NoticePlan.Notice notice = (NoticePlan.Notice) step;
        TrackedCertificate sent = tracked.noticeSent(notice.reason(), notice.next());
        emit(sent, now);
        store(sent);
        meters.notice(notice.reason(), Duration.between(tracked.nextNoticeAt(), now));
    }

    private void emit(TrackedCertificate sent, Instant now) {
        RenewalDue event = new RenewalDue(sent.identity(), sent.nodeName(), sent.serial(), sent.notBefore(),
                sent.notAfter(), sent.deadline(), sent.lastReason(), sent.notices(), now);
        // The same notice of the same certificate always has the same id, even when an aborted
        // transaction makes this tick run again.
        String id = UUID.nameUUIDFromBytes((sent.identity().key() + '|' + sent.serial() + '|' + sent.notices())
                .getBytes(StandardCharsets.UTF_8)).toString();
        EncodedEvent encoded = codec.encode(EventType.RENEWAL_DUE, event, id);
        RecordHeaders headers = new RecordHeaders();
        encoded.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        context.forward(new Record<>(encoded.key(), encoded.value(), now.toEpochMilli(), headers));
        LOG.debugf("%s for %s serial %s (notice %d)", sent.lastReason(), sent.identity().key(), sent.serial(),
                sent.notices());
    }

    private void applyNodeDeletions() {
        for (NodeDirectory.NodeDeletion deletion : nodes.deletionsAfter(deletionsSeen)) {
            deletionsSeen = deletion.sequence();
            for (TrackedCertificate tracked : trackedOnNode(deletion.nodeName())) {
                // A certificate first seen after the deletion belongs to a new Node of the same name.
                if (!tracked.seenAt().isAfter(deletion.deletedAt())) {
                    forget(tracked);
                    meters.removed("node-deleted");
                }
            }
        }
    }

    private List<TrackedCertificate> trackedOnNode(String nodeName) {
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

    /**
     * Looks at a slice of the node index each tick, so that the identities of Nodes deleted while
     * no replica watched are removed within one pass over the index, without a stop-the-world scan.
     */
    private void sweepOrphans(Instant now) {
        if (!nodes.synced()) {
            return;
        }
        List<String> orphans = new ArrayList<>();
        int looked = 0;
        try (KeyValueIterator<String, byte[]> it = sweepFrom == null ? byNode.all() : byNode.range(sweepFrom, null)) {
            String last = null;
            while (it.hasNext() && looked < settings.sweepBatch()) {
                KeyValue<String, byte[]> entry = it.next();
                last = entry.key;
                looked++;
                if (!nodes.exists(NodeKey.node(entry.key))) {
                    orphans.add(NodeKey.identity(entry.key));
                }
            }
            sweepFrom = it.hasNext() && last != null ? last + '\u0000' : null;
        }
        for (String identity : orphans) {
            TrackedCertificate t = inventory.get(identity);
            if (t != null && nodeGone(t, now)) {
                forget(t);
                meters.removed("node-deleted");
            }
        }
    }

    private boolean nodeGone(TrackedCertificate t, Instant now) {
        return t.nodeName() != null && nodes.synced() && !nodes.exists(t.nodeName())
                && t.seenAt().plus(settings.nodeGrace()).isBefore(now);
    }

    private void store(TrackedCertificate t) {
        String key = t.identity().key();
        inventory.put(key, t);
        if (t.nextNoticeAt() != null) {
            due.put(DueKey.of(t.nextNoticeAt(), key), PRESENT);
        }
        if (t.nodeName() != null) {
            byNode.put(NodeKey.of(t.nodeName(), key), PRESENT);
        }
    }

    private void forget(TrackedCertificate t) {
        String key = t.identity().key();
        inventory.delete(key);
        if (t.nextNoticeAt() != null) {
            due.delete(DueKey.of(t.nextNoticeAt(), key));
        }
        if (t.nodeName() != null) {
            byNode.delete(NodeKey.of(t.nodeName(), key));
        }
    }

    private static Instant truncated(Instant at) {
        return Instant.ofEpochMilli(Math.max(0, at.toEpochMilli()));
    }
}
