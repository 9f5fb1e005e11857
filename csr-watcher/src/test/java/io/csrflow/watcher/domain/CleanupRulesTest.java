package io.csrflow.watcher.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CsrCondition;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.testsupport.TestCa;

/**
 * kube-controller-manager's csrcleaner rules, each on both sides of its boundary, on a pinned clock
 * and with real certificates.
 */
class CleanupRulesTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
    static final Instant NOW = CLOCK.instant();
    static final Duration SECOND = Duration.ofSeconds(1);
    static final Duration HOUR = Duration.ofHours(1);
    static final Duration DAY = Duration.ofHours(24);
    /** Valid for a year from now. */
    static final String VALID = certificate(NOW.minus(DAY), NOW.plus(Duration.ofDays(365)));

    static Stream<Arguments> kubesRules() {
        return Stream.of(
                row("issued, approved exactly 1 h ago: kept",
                        csr().approvedAgo(HOUR).certificate(VALID), null),
                row("issued, approved 1 h 1 s ago",
                        csr().approvedAgo(HOUR.plus(SECOND)).certificate(VALID), CsrDeletionReason.ISSUED_PAST_DEADLINE),
                row("approved 2 days ago but never issued: kept (a signer is missing)",
                        csr().createdAgo(DAY.multipliedBy(3)).approvedAgo(DAY.multipliedBy(2)), null),
                row("denied exactly 1 h ago: kept",
                        csr().deniedAgo(HOUR), null),
                row("denied 1 h 1 s ago",
                        csr().deniedAgo(HOUR.plus(SECOND)), CsrDeletionReason.DENIED_PAST_DEADLINE),
                row("approved long ago, failed exactly 1 h ago: kept",
                        csr().approvedAgo(DAY).failedAgo(HOUR), null),
                row("approved long ago, failed 1 h 1 s ago",
                        csr().approvedAgo(DAY).failedAgo(HOUR.plus(SECOND)), CsrDeletionReason.FAILED_PAST_DEADLINE),
                row("pending, created exactly 24 h ago: kept",
                        csr().createdAgo(DAY), null),
                row("pending, created 24 h 1 s ago",
                        csr().createdAgo(DAY.plus(SECOND)), CsrDeletionReason.PENDING_PAST_DEADLINE),
                row("unhandled but with a condition of another type, 2 days old: kept (kube: no condition at all)",
                        csr().createdAgo(DAY.multipliedBy(2)).condition("Reviewed", "False", DAY), null),
                row("issued a minute ago, certificate expires now: kept",
                        csr().approvedAgo(Duration.ofMinutes(1)).certificate(certificate(NOW.minus(HOUR), NOW)), null),
                row("issued a minute ago, certificate expired a second ago",
                        csr().approvedAgo(Duration.ofMinutes(1))
                                .certificate(certificate(NOW.minus(HOUR), NOW.minus(SECOND))),
                        CsrDeletionReason.CERTIFICATE_EXPIRED),
                row("a certificate expired but never approved: kept (kube asks for approval)",
                        csr().createdAgo(Duration.ofMinutes(1)).condition("Reviewed", "True", Duration.ofMinutes(1))
                                .certificate(certificate(NOW.minus(HOUR), NOW.minus(SECOND))), null),
                row("issued and expired, approved 2 h ago: kube's first rule names it",
                        csr().approvedAgo(HOUR.multipliedBy(2))
                                .certificate(certificate(NOW.minus(HOUR.multipliedBy(3)), NOW.minus(SECOND))),
                        CsrDeletionReason.ISSUED_PAST_DEADLINE),
                row("issued with an unreadable certificate, approved a minute ago: kept (not known to be expired)",
                        csr().approvedAgo(Duration.ofMinutes(1)).certificate("garbage"), null),
                row("issued with an unreadable certificate, approved 2 h ago",
                        csr().approvedAgo(HOUR.multipliedBy(2)).certificate("garbage"),
                        CsrDeletionReason.ISSUED_PAST_DEADLINE),
                row("denied with no lastUpdateTime, created a year ago: kept (a time that is absent never counts)",
                        csr().createdAgo(Duration.ofDays(365)).condition("Denied", "True", null), null),
                row("no creation time and no condition: kept",
                        csr().createdAt(null), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kubesRules")
    void kubesDefaultAges(String description, CsrObserved csr, CsrDeletionReason expected) {
        assertEquals(Optional.ofNullable(expected), new CleanupRules(CleanupRules.KUBE).reasonToDelete(csr, NOW));
    }

    static Stream<Arguments> configuredAges() {
        Duration issued = Duration.ofMinutes(10);
        Duration denied = Duration.ofMinutes(20);
        Duration failed = Duration.ofMinutes(30);
        Duration pending = Duration.ofHours(2);
        CleanupRules.Ages ages = new CleanupRules.Ages(issued, denied, failed, pending);
        return Stream.of(
                Arguments.of("issued 10 min ago: kept", ages, csr().approvedAgo(issued).certificate(VALID).build(),
                        null),
                Arguments.of("issued 10 min 1 s ago", ages,
                        csr().approvedAgo(issued.plus(SECOND)).certificate(VALID).build(),
                        CsrDeletionReason.ISSUED_PAST_DEADLINE),
                Arguments.of("denied 20 min ago: kept", ages, csr().deniedAgo(denied).build(), null),
                Arguments.of("denied 20 min 1 s ago", ages, csr().deniedAgo(denied.plus(SECOND)).build(),
                        CsrDeletionReason.DENIED_PAST_DEADLINE),
                Arguments.of("failed 30 min ago: kept", ages,
                        csr().approvedAgo(Duration.ofMinutes(31)).failedAgo(failed).build(), null),
                Arguments.of("failed 30 min 1 s ago", ages,
                        csr().approvedAgo(Duration.ofMinutes(31)).failedAgo(failed.plus(SECOND)).build(),
                        CsrDeletionReason.FAILED_PAST_DEADLINE),
                Arguments.of("pending 2 h: kept", ages, csr().createdAgo(pending).build(), null),
                Arguments.of("pending 2 h 1 s", ages, csr().createdAgo(pending.plus(SECOND)).build(),
                        CsrDeletionReason.PENDING_PAST_DEADLINE),
                Arguments.of("all ages zero, denied a second ago",
                        new CleanupRules.Ages(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO),
                        csr().deniedAgo(SECOND).build(), CsrDeletionReason.DENIED_PAST_DEADLINE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configuredAges")
    void configuredAgesMoveEachBoundary(String description, CleanupRules.Ages ages, CsrObserved csr,
            CsrDeletionReason expected) {
        assertEquals(Optional.ofNullable(expected), new CleanupRules(ages).reasonToDelete(csr, NOW));
    }

    @Test
    void aNegativeAgeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CleanupRules.Ages(HOUR, HOUR.negated(), HOUR, DAY));
        assertEquals("a CSR cleaner age may not be negative: PT-1H", e.getMessage());
    }

    private static Arguments row(String description, Csr csr, CsrDeletionReason expected) {
        return Arguments.of(description, csr.build(), expected);
    }

    private static Csr csr() {
        return new Csr();
    }

    /** A CSR snapshot as the watcher takes it from the informer, built up condition by condition. */
    private static final class Csr {
        private Instant createdAt = NOW.minus(Duration.ofMinutes(2));
        private final List<CsrCondition> conditions = new ArrayList<>();
        private String certificate;

        Csr createdAgo(Duration ago) {
            return createdAt(NOW.minus(ago));
        }

        Csr createdAt(Instant at) {
            createdAt = at;
            return this;
        }

        Csr approvedAgo(Duration ago) {
            return condition("Approved", "True", ago);
        }

        Csr deniedAgo(Duration ago) {
            return condition("Denied", "True", ago);
        }

        Csr failedAgo(Duration ago) {
            return condition("Failed", "True", ago);
        }

        Csr condition(String type, String status, Duration ago) {
            Instant at = ago == null ? null : NOW.minus(ago);
            if (at != null && createdAt != null && at.isBefore(createdAt)) {
                createdAt = at;
            }
            conditions.add(new CsrCondition(type, status, "Test", "by the test", at, at));
            return this;
        }

        Csr certificate(String pem) {
            certificate = pem;
            return this;
        }

        CsrObserved build() {
            return new CsrObserved("csr-1", "uid-1", "7", "kubernetes.io/kube-apiserver-client-kubelet",
                    "-----BEGIN CERTIFICATE REQUEST-----", List.of("digital signature", "client auth"), null, null,
                    conditions, certificate, CsrPhase.of(conditions, certificate), createdAt, NOW);
        }
    }

    /** A real certificate (Bouncy Castle) valid from {@code notBefore} to {@code notAfter}, as PEM. */
    private static String certificate(Instant notBefore, Instant notAfter) {
        try {
            Path dir = Files.createTempDirectory("cleanup-rules");
            return Files.readString(TestCa.create(dir, "test", notBefore, notAfter).certFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
