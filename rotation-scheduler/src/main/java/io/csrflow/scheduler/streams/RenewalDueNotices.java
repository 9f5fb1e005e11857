package io.csrflow.scheduler.streams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import io.csrflow.events.EncodedEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.RenewalDue;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * The transition "renewal due" of one task: each CSR's certificate whose time has come gets the notice
 * {@link NoticePlan} says (DUE, OVERDUE or EXPIRED) on {@code cert.renewal-due}, or is forgotten.
 * A certificate whose Node is gone is removed instead, so that no notice names a deleted Node.
 */
final class RenewalDueNotices {
    private static final Logger LOG = Logger.getLogger(RenewalDueNotices.class);

    private final SchedulerSettings settings;
    private final InventoryStores stores;
    private final NodeGarbageCollector nodes;
    private final EventCodec codec;
    private final SchedulerMeters meters;
    private final ProcessorContext<String, byte[]> context;

    RenewalDueNotices(SchedulerSettings settings, InventoryStores stores, NodeGarbageCollector nodes, EventCodec codec,
            SchedulerMeters meters, ProcessorContext<String, byte[]> context) {
        this.settings = settings;
        this.stores = stores;
        this.nodes = nodes;
        this.codec = codec;
        this.meters = meters;
        this.context = context;
    }

    /** Acts on a CSR's certificate whose time has come, taken off the due index at {@code now}. */
    void act(TrackedCertificate tracked, Instant now) {
        if (nodes.removeIfNodeGone(tracked, now)) {
            return;
        }
        NoticePlan.Step step = settings.notices().next(tracked, now);
        if (step instanceof NoticePlan.Forget) {
            stores.forget(tracked);
            meters.removed("expired-retention");
            return;
        }
        NoticePlan.Notice notice = (NoticePlan.Notice) step;
        TrackedCertificate sent = tracked.noticeSent(notice.reason(), notice.next());
        emit(sent, now);
        stores.store(sent);
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
}
