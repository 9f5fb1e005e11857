package io.csrflow.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Looks at a request with plain GETs until it has an answer, the way the fleet waits for
 * PodCertificateRequests (CSRs are watched instead, as the kubelet does: {@link CsrWait}). The first
 * look comes soon (a quick answer is seen quickly), then the pause doubles up to the poll interval.
 */
final class Poller {
    private static final Duration FIRST_LOOK = Duration.ofMillis(250);

    private final ScheduledExecutorService scheduler;
    private final Duration pollInterval;
    private final Duration timeout;

    Poller(ScheduledExecutorService scheduler, Duration pollInterval, Duration timeout) {
        this.scheduler = scheduler;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    /**
     * Completes with the first non-null answer of {@code look}. A look that throws is not the end (the
     * API may be restarting); if the time runs out, the last failure or a timeout naming
     * {@code what} ends the wait.
     */
    <T> CompletableFuture<T> await(String what, Supplier<T> look) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        lookLater(what, look, Instant.now().plus(timeout), new Backoff(FIRST_LOOK, pollInterval), answer);
        return answer;
    }

    private <T> void lookLater(String what, Supplier<T> look, Instant giveUpAt, Backoff backoff,
            CompletableFuture<T> answer) {
        backoff.schedule(scheduler, () -> {
            RuntimeException failure = null;
            try {
                T found = look.get();
                if (found != null) {
                    answer.complete(found);
                    return;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            if (Instant.now().isAfter(giveUpAt)) {
                answer.completeExceptionally(failure != null ? failure
                        : new TimeoutException(what + " within " + timeout));
            } else {
                lookLater(what, look, giveUpAt, backoff.next(), answer);
            }
        });
    }
}
