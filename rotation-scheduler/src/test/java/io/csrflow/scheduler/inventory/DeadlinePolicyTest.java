package io.csrflow.scheduler.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.csrflow.pki.RotationDeadline;

/** Deadline arithmetic: the kubelet's rule with a serial-derived jitter, and cert-manager's alternatives. */
class DeadlinePolicyTest {
    static final Instant NOT_BEFORE = Instant.parse("2026-05-01T10:00:00Z");
    final DeadlinePolicy kubelet = new DeadlinePolicy.KubeletJitter();
    final SecureRandom random = new SecureRandom();

    @Test
    void kubeletDeadlineStaysWithinSeventyToNinetyPercentForAnySerialAndLifetime() {
        double lowest = 1;
        double highest = 0;
        for (int i = 0; i < 20_000; i++) {
            String serial = new BigInteger(128, random).toString(16);
            // Lifetimes from one millisecond-odd value to years, including tiny ones where rounding bites.
            long millis = i < 1000 ? 1 + i : 600_000L + (long) (random.nextDouble() * Duration.ofDays(800).toMillis());
            Instant notAfter = NOT_BEFORE.plusMillis(millis);
            Instant deadline = kubelet.deadline(serial, NOT_BEFORE, notAfter);
            long offset = Duration.between(NOT_BEFORE, deadline).toMillis();
            assertTrue(offset * 10 >= millis * 7, "below 0.7T: serial " + serial + " T=" + millis + " offset " + offset);
            assertTrue(offset * 10 < millis * 9 || millis < 5,
                    "at or above 0.9T: serial " + serial + " T=" + millis + " offset " + offset);
            if (i >= 1000) {
                double fraction = (double) offset / millis;
                lowest = Math.min(lowest, fraction);
                highest = Math.max(highest, fraction);
            }
        }
        // Spread over the whole window, as random jitter would be: no thundering herd.
        assertTrue(lowest < 0.701 && highest > 0.899, "fractions spread from " + lowest + " to " + highest);
    }

    @Test
    void theJitterIsAFunctionOfTheSerialAlone() {
        Instant notAfter = NOT_BEFORE.plus(Duration.ofDays(365));
        assertEquals(kubelet.deadline("0a1b", NOT_BEFORE, notAfter), kubelet.deadline("A1B", NOT_BEFORE, notAfter),
                "case and leading zeros do not change the serial");
        assertNotEquals(kubelet.deadline("a1b", NOT_BEFORE, notAfter), kubelet.deadline("a1c", NOT_BEFORE, notAfter));
        double u = RotationDeadline.unitFromSerial("5f3e");
        assertEquals(u, RotationDeadline.unitFromSerial("5f3e"));
        assertTrue(u >= 0 && u < 1);
    }

    @Test
    void renewBeforeCountsBackFromNotAfterAndFallsBackToAThirdWhenLongerThanTheLifetime() {
        Instant notAfter = NOT_BEFORE.plus(Duration.ofDays(30));
        assertEquals(notAfter.minus(Duration.ofDays(10)),
                new DeadlinePolicy.RenewBefore(Duration.ofDays(10)).deadline("1", NOT_BEFORE, notAfter));
        assertEquals(notAfter.minus(Duration.ofDays(10)),
                new DeadlinePolicy.RenewBefore(Duration.ofDays(45)).deadline("1", NOT_BEFORE, notAfter));
    }

    @Test
    void renewBeforePercentageIsAShareOfTheLifetime() {
        Instant notAfter = NOT_BEFORE.plus(Duration.ofDays(100));
        assertEquals(notAfter.minus(Duration.ofDays(25)),
                new DeadlinePolicy.RenewBeforePercentage(25).deadline("1", NOT_BEFORE, notAfter));
    }

    @Test
    void configurationChoosesThePolicyAndRefusesNonsense() {
        assertTrue(DeadlinePolicy.of(Optional.empty(), Optional.empty()) instanceof DeadlinePolicy.KubeletJitter);
        assertTrue(DeadlinePolicy.of(Optional.of(Duration.ofHours(8)), Optional.empty())
                instanceof DeadlinePolicy.RenewBefore);
        assertTrue(DeadlinePolicy.of(Optional.empty(), Optional.of(30)) instanceof DeadlinePolicy.RenewBeforePercentage);
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> DeadlinePolicy.of(Optional.of(Duration.ofHours(8)), Optional.of(30)));
        assertTrue(both.getMessage().contains("exclusive"), both.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DeadlinePolicy.RenewBeforePercentage(100));
        assertThrows(IllegalArgumentException.class, () -> new DeadlinePolicy.RenewBefore(Duration.ZERO));
        assertFalse(new DeadlinePolicy.KubeletJitter().describe().isEmpty());
    }
}
