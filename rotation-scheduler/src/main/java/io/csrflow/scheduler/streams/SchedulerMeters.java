package io.csrflow.scheduler.streams;

import java.time.Duration;

import io.csrflow.events.RenewalReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The counters the topology moves. Under exactly-once a transaction that aborts is retried, so a
 * counter can run ahead of what consumers see; the topic is the record, these are the pulse.
 */
public final class SchedulerMeters {
    private final MeterRegistry registry;
    private final Timer lateness;

    public SchedulerMeters(MeterRegistry registry) {
        this.registry = registry;
        this.lateness = Timer.builder("csrflow.scheduler.notice.lateness")
                .description("How long after its scheduled instant each renewal event left")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** tracked, replaced, duplicate, stale. */
    void sighting(String result) {
        registry.counter("csrflow.scheduler.sightings", "result", result).increment();
    }

    void rejected(String topic) {
        registry.counter("csrflow.scheduler.rejected", "topic", topic).increment();
    }

    void notice(RenewalReason reason, Duration late) {
        registry.counter("csrflow.scheduler.renewal.events", "reason", reason.name()).increment();
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    /** present, gone, replaced, finished, unknown: what a pod lookup for an overdue pod certificate found. */
    void podLookup(String result) {
        registry.counter("csrflow.scheduler.pod.lookups", "result", result).increment();
    }

    /** node-deleted, expired-retention, pod-gone, pod-replaced, pod-finished. */
    void removed(String why) {
        registry.counter("csrflow.scheduler.removed", "reason", why).increment();
    }
}
