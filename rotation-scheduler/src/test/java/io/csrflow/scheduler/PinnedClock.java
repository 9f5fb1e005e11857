package io.csrflow.scheduler;

import java.time.Clock;
import java.time.Instant;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.testsupport.MutableClock;

/** The service's clock in tests: pinned, so that what is due, overdue or expired is known. */
@Alternative
@Priority(1)
@Singleton
public class PinnedClock {
    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    public static final MutableClock CLOCK = new MutableClock(NOW);

    @Produces
    @Singleton
    Clock clock() {
        return CLOCK;
    }
}
