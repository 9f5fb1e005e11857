package io.csrflow.scheduler.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.EventCodec;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.PodDirectory;

/**
 * The inventory of one partition of identities. Sightings update it; a wall-clock punctuation
 * applies Node deletions, acts on what is due (a CSR's certificate: {@link RenewalDueNotices}; a
 * pod's: {@link PodCertificateChecks}) and sweeps a slice of the node index
 * ({@link NodeGarbageCollector}). Between ticks, a deadline that falls before the next tick wakes
 * the task at that moment (a one-shot punctuation armed for the earliest such deadline), so a notice
 * is late by the stream thread's polling, not by up to a tick. Every write here (stores, output, input offsets) commits in one
 * Kafka transaction, which is what makes a restart neither lose a deadline nor fire one twice.
 */
final class InventoryProcessor implements Processor<String, Sighting, String, byte[]> {
    private static final Duration ONE_MILLI = Duration.ofMillis(1);

    private final SchedulerSettings settings;
    private final NodeDirectory nodes;
    private final PodDirectory pods;
    private final Clock clock;
    private final SchedulerMeters meters;

    private InventoryStores stores;
    private NodeGarbageCollector nodeCollector;
    private RenewalDueNotices renewals;
    private PodCertificateChecks podChecks;
    private ProcessorContext<String, byte[]> context;
    private Instant nextTickAt;
    private Cancellable wakeUp;
    private Instant wakeUpAt;

    InventoryProcessor(SchedulerSettings settings, NodeDirectory nodes, PodDirectory pods, Clock clock,
            SchedulerMeters meters) {
        this.settings = settings;
        this.nodes = nodes;
        this.pods = pods;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        stores = new InventoryStores(context);
        nodeCollector = new NodeGarbageCollector(nodes, stores, settings, meters);
        renewals = new RenewalDueNotices(settings, stores, nodeCollector,
                new EventCodec(settings.eventSource(), clock), meters, context);
        podChecks = new PodCertificateChecks(settings, stores, pods, meters);
        this.context = context;
        nextTickAt = clock.instant().plus(settings.tick());
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, ignored -> {
            nextTickAt = clock.instant().plus(settings.tick());
            tick();
            armForNextDue();
        });
    }

    @Override
    public void process(Record<String, Sighting> record) {
        Sighting seen = record.value();
        TrackedCertificate current = stores.get(record.key());
        if (current != null && current.sameCertificate(seen)) {
            meters.sighting("duplicate");
            return;
        }
        if (current != null && !current.isOlderThan(seen)) {
            meters.sighting("stale");
            return;
        }
        if (current != null) {
            stores.forget(current);
        }
        TrackedCertificate tracked = seen.pod() != null ? TrackedCertificate.trackPod(seen, settings.overdue())
                : TrackedCertificate.track(seen,
                        settings.deadlines().deadline(seen.serial(), seen.notBefore(), seen.notAfter()));
        stores.store(tracked);
        meters.sighting(current == null ? "tracked" : "replaced");
        if (tracked.nextNoticeAt() != null) {
            arm(tracked.nextNoticeAt());
        }
    }

    private void tick() {
        Instant now = clock.instant();
        nodeCollector.applyDeletions();
        podChecks.startTick();
        actOnDue(now);
        nodeCollector.sweepOrphans(now);
    }

    private void actOnDue(Instant now) {
        for (TrackedCertificate due : stores.takeDue(now, settings.maxNoticesPerTick())) {
            if (due.isPodCertificate()) {
                podChecks.check(due, now);
            } else {
                renewals.act(due, now);
            }
        }
    }

    /**
     * Wakes the task at {@code at} if that is before the next tick and before any wake-up already
     * armed. What is still due after a wake-up (more than a tick's notices, pod checks over their
     * budget) is not armed again: it waits for the tick, so that a backlog never spins the thread.
     */
    private void arm(Instant at) {
        if (!at.isBefore(nextTickAt) || (wakeUpAt != null && !at.isBefore(wakeUpAt))) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel();
        }
        Duration in = Duration.between(clock.instant(), at);
        wakeUpAt = at;
        wakeUp = context.schedule(in.compareTo(ONE_MILLI) < 0 ? ONE_MILLI : in, PunctuationType.WALL_CLOCK_TIME,
                ignored -> wake());
    }

    private void wake() {
        wakeUp.cancel();
        wakeUp = null;
        wakeUpAt = null;
        actOnDue(clock.instant());
        armForNextDue();
    }

    private void armForNextDue() {
        Instant now = clock.instant();
        stores.nextDue().filter(at -> at.isAfter(now)).ifPresent(this::arm);
    }

}
