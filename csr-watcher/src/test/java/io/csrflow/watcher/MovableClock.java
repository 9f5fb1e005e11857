package io.csrflow.watcher;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.testsupport.MutableClock;

/**
 * The watcher's clock for the cleaner's tests, enabled by their profiles only: the test moves it
 * forward to make CSRs old, where the API server stamped them with the real time.
 */
@Alternative
@Singleton
public class MovableClock {
    public static final MutableClock CLOCK = new MutableClock(Instant.now());

    @Produces
    @Singleton
    Clock clock() {
        return CLOCK;
    }
}
