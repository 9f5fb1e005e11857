package io.csrflow.service;

import java.time.Duration;

/**
 * The one retry schedule of csrflow: the first retry waits {@code initial}, each further one twice as
 * long, never more than {@code max} (kube-controller-manager's work queues back off the same way).
 * Every loop that waits for something transient to pass — a Kafka broker, a topic, the API server, a
 * CSR left pending — takes its pauses from here.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("the first pause must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the longest pause " + max + " is shorter than the first " + initial);
        }
    }

    /** A fixed pause: as often as {@code every}, without growing. */
    public static Backoff constant(Duration every) {
        return new Backoff(every, every);
    }

    /** The pause before retry number {@code attempt} (0 for the first retry). */
    public Duration delay(int attempt) {
        long millis = initial.toMillis();
        for (int i = 0; i < attempt && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }

    /**
     * Sleeps the pause before retry number {@code attempt}.
     *
     * @return false if interrupted (the thread's interrupt flag is set again): stop retrying
     */
    public boolean pause(int attempt) {
        try {
            Thread.sleep(delay(attempt).toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
