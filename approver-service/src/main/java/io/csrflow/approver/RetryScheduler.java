package io.csrflow.approver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.Backoff;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Asks again about CSRs left pending for a reason that may pass (no Node yet, SubjectAccessReview
 * said no, the API did not answer), with per-CSR exponential backoff as kube-controller-manager's
 * work queue does. One entry per pending CSR; the watcher's resync covers what a restart forgets.
 */
@ApplicationScoped
public class RetryScheduler {
    private record Entry(int attempt, ScheduledFuture<?> future) {
    }

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "approver-retries");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Backoff backoff;

    RetryScheduler(ApproverConfig config, MeterRegistry registry) {
        this.backoff = new Backoff(config.approver().retry().initial(), config.approver().retry().max());
        registry.gauge("csrflow.approver.pending.backlog", entries, Map::size);
    }

    /** Runs {@code review(name, uid)} after this CSR's next pause. */
    public void later(String name, String uid, BiConsumer<String, String> review) {
        entries.compute(name, (key, previous) -> {
            if (previous != null) {
                previous.future().cancel(false);
            }
            int attempt = previous == null ? 0 : previous.attempt() + 1;
            return new Entry(attempt, executor.schedule(() -> review.accept(name, uid),
                    backoff.delay(attempt).toMillis(), TimeUnit.MILLISECONDS));
        });
    }

    /** The CSR was decided or is gone: forget it. */
    public void forget(String name) {
        Entry entry = entries.remove(name);
        if (entry != null) {
            entry.future().cancel(false);
        }
    }

    public int size() {
        return entries.size();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
