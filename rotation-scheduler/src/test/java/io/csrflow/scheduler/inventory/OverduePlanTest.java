package io.csrflow.scheduler.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.events.Identity;

/**
 * A pod certificate's schedule: first looked at a margin after beginRefreshAt, then (overdue, pod
 * running) again after as long as it has been overdue, within the reminder bounds, never past NotAfter
 * while valid, forgotten after the expiry retention; and its status, which only the lookup makes OVERDUE.
 */
class OverduePlanTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant REFRESH = T0.plus(Duration.ofHours(12));
    static final Instant NOT_AFTER = T0.plus(Duration.ofHours(24));
    final OverduePlan plan = new OverduePlan(Duration.ofMinutes(10),
            new NoticePlan(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(30)));

    @Test
    void isFirstLookedAtTheMarginAfterTheKubeletWasToRefresh() {
        TrackedCertificate t = tracked();
        assertEquals(REFRESH.plus(Duration.ofMinutes(10)), t.nextNoticeAt());
        assertEquals(REFRESH, t.deadline(), "the kubelet's refresh time is the deadline");
        assertEquals(0, t.notices());
    }

    /** Overdue since 12:10; looked at again after as long as it has been overdue, 1 h to 6 h, capped at NotAfter. */
    @ParameterizedTest(name = "looked at {0}: next at {1}")
    @CsvSource({
            "2026-01-01T12:10:00Z, 2026-01-01T13:10:00Z",  // just found overdue: after the first reminder
            "2026-01-01T13:10:00Z, 2026-01-01T14:10:00Z",  // overdue 1 h: 1 h
            "2026-01-01T14:10:00Z, 2026-01-01T16:10:00Z",  // overdue 2 h: 2 h
            "2026-01-01T16:10:00Z, 2026-01-01T20:10:00Z",  // overdue 4 h: 4 h
            "2026-01-01T20:10:00Z, 2026-01-02T00:00:00Z",  // 6 h, but once more at NotAfter
            "2026-01-02T00:00:00Z, 2026-01-02T06:00:00Z",  // expired: the cap, 6 h
            "2026-01-31T23:00:00Z, 2026-02-01T00:00:00Z"}) // never past the end of the retention
    void looksAgainAfterAsLongAsItHasBeenOverdue(Instant now, Instant next) {
        assertEquals(next, plan.nextCheck(tracked(), REFRESH.plus(Duration.ofMinutes(10)), now));
    }

    @Test
    void isForgottenTheRetentionAfterNotAfter() {
        assertFalse(plan.forgotten(tracked(), NOT_AFTER.plus(Duration.ofDays(30)).minusMillis(1)));
        assertTrue(plan.forgotten(tracked(), NOT_AFTER.plus(Duration.ofDays(30))));
    }

    @Test
    void isDueFromBeginRefreshAtAndOverdueOnlyOnceFoundSo() {
        Duration overdueAfter = Duration.ofHours(1);
        TrackedCertificate t = tracked();
        assertEquals(CertificateStatus.SCHEDULED, t.status(REFRESH.minusMillis(1), overdueAfter));
        assertEquals(CertificateStatus.DUE, t.status(REFRESH, overdueAfter));
        assertEquals(CertificateStatus.DUE, t.status(REFRESH.plus(Duration.ofHours(5)), overdueAfter),
                "not overdue by time alone: its pod may be gone");
        TrackedCertificate overdue = t.overdue(REFRESH.plus(Duration.ofMinutes(10)), REFRESH.plus(Duration.ofHours(2)));
        assertEquals(CertificateStatus.OVERDUE, overdue.status(REFRESH.plus(Duration.ofMinutes(10)), overdueAfter));
        assertEquals(CertificateStatus.EXPIRED, overdue.status(NOT_AFTER, overdueAfter));
        assertEquals(REFRESH.plus(Duration.ofMinutes(10)), overdue.overdueSince(), "kept when expired");
    }

    @Test
    void refusesAMarginThatIsNotPositive() {
        NoticePlan notices = new NoticePlan(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OverduePlan(Duration.ZERO, notices));
        assertEquals("csrflow.scheduler.pod-certificates.overdue-margin must be a positive duration, got PT0S",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OverduePlan(Duration.ofMinutes(-1), notices));
    }

    @Test
    void aSightingFromAPodCertificateRequestCarriesItsPodAndNoOtherDoes() {
        Identity identity = Identity.workload("example.com/pods", "shop", "web", "web-0");
        assertThrows(IllegalArgumentException.class, () -> new Sighting(identity, null, null, "ab", "CN=ca", T0,
                NOT_AFTER, T0, Sighting.Source.PCR_OBSERVED, null));
        assertThrows(IllegalArgumentException.class, () -> new Sighting(identity, null, "csr-1", "ab", "CN=ca", T0,
                NOT_AFTER, T0, Sighting.Source.CSR_OBSERVED, new PodCertificate("uid", "n1", "r", REFRESH)));
    }

    TrackedCertificate tracked() {
        Sighting s = new Sighting(Identity.workload("example.com/pods", "shop", "web", "web-0"), null, null, "ab",
                "CN=ca", T0, NOT_AFTER, T0, Sighting.Source.PCR_OBSERVED,
                new PodCertificate("uid-web-0", "worker-1", "web-0-req", REFRESH));
        return TrackedCertificate.trackPod(s, plan);
    }
}
