package io.csrflow.signer.kube;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.csrflow.service.Backoff;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Keys of objects to bring to their desired state, handled one at a time on a thread of its own, as
 * kube-controller-manager's work queues do: a key already waiting is not queued twice, and a key whose
 * work failed comes back after a pause that doubles per failure (1 s up to 1 min). Every failure is
 * retried: the API may not answer yet, the signer's RBAC may be applied after it starts, another
 * replica may have written first (409), and none of this may stop the service or be forgotten.
 */
final class ReconcileQueue {
    private static final Logger LOG = Logger.getLogger(ReconcileQueue.class);
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    private final String target;
    private final Consumer<String> work;
    private final MeterRegistry registry;
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;

    /** @param target what the keys name, for logs, metrics and the thread ({@code configmap}...) */
    ReconcileQueue(String target, Consumer<String> work, MeterRegistry registry) {
        this.target = target;
        this.work = work;
        this.registry = registry;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "trust-" + target);
            thread.setDaemon(true);
            return thread;
        });
    }

    void add(String key) {
        if (waiting.add(key)) {
            try {
                executor.execute(() -> run(key));
            } catch (RejectedExecutionException e) {
                waiting.remove(key);
            }
        }
    }

    /** {@link #add} after {@code pause}: for a key that cannot be judged yet, which is no failure. */
    void addAfter(String key, Duration pause) {
        try {
            executor.schedule(() -> add(key), pause.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // The service is stopping.
        }
    }

    private void run(String key) {
        waiting.remove(key);
        try {
            work.accept(key);
            if (failures.remove(key) != null) {
                LOG.infof("%s %s published after earlier failures", target, key);
            }
        } catch (RuntimeException e) {
            int failure = failures.merge(key, 1, Integer::sum);
            Duration pause = RETRY.delay(failure - 1);
            registry.counter("csrflow.signer.trust.errors", "target", target).increment();
            LOG.warnf("could not publish %s %s (%s); trying again in %d s", target, key, describe(e),
                    pause.toSeconds());
            try {
                executor.schedule(() -> add(key), pause.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                // The service is stopping.
            }
        }
    }

    private static String describe(RuntimeException e) {
        if (e instanceof KubernetesClientException api) {
            return api.getCode() > 0 ? "HTTP " + api.getCode() + ": " + api.getMessage() : "the API did not answer: "
                    + api.getMessage();
        }
        return e.toString();
    }

    void stop() {
        executor.shutdownNow();
    }
}
