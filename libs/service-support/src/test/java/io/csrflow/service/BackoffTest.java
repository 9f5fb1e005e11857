package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @ParameterizedTest(name = "initial {0}, max {1}: retry {2} waits {3}")
    @CsvSource({
        "PT1S, PT5M, 0, PT1S",
        "PT1S, PT5M, 1, PT2S",
        "PT1S, PT5M, 8, PT4M16S",
        "PT1S, PT5M, 9, PT5M",
        "PT1S, PT5M, 2147483647, PT5M",
        "PT0.2S, PT10S, 5, PT6.4S",
        "PT5S, PT5S, 3, PT5S",
    })
    void doublesUpToItsCeiling(Duration initial, Duration max, int attempt, Duration expected) {
        assertEquals(expected, new Backoff(initial, max).delay(attempt));
    }

    @Test
    void refusesSchedulesThatCannotBe() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void anInterruptedPauseSaysStop() {
        Thread.currentThread().interrupt();
        assertFalse(Backoff.constant(Duration.ofSeconds(10)).pause(0));
        assertEquals(true, Thread.interrupted());
    }
}
