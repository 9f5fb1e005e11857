package io.csrflow.fleet;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pause before the next attempt: it doubles after every attempt up to {@code ceiling}, so that
 * thousands of simulated kubelets and pods retrying against a struggling API do not become its main
 * load. Every retry and every poll of the fleet waits this way.
 */
record Backoff(Duration pause, Duration ceiling) {
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration MAX_RETRY = Duration.ofMinutes(5);

    Backoff {
        pause = pause.compareTo(ceiling) <= 0 ? pause : ceiling;
    }

    /** After a failed request or rotation: 5 s, doubling up to 5 min. */
    static Backoff retry() {
        return new Backoff(FIRST_RETRY, MAX_RETRY);
    }

    /** The pause after this one. */
    Backoff next() {
        return new Backoff(pause.multipliedBy(2), ceiling);
    }

    /** Runs {@code action} once this pause has passed. */
    ScheduledFuture<?> schedule(ScheduledExecutorService scheduler, Runnable action) {
        return scheduler.schedule(action, pause.toMillis(), TimeUnit.MILLISECONDS);
    }
}
