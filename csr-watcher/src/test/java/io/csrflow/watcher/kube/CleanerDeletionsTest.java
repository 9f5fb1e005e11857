package io.csrflow.watcher.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;

/** The Deleted snapshot says why only when the cleaner asked for that deletion of that very CSR. */
class CleanerDeletionsTest {
    private final CleanerDeletions deletions = new CleanerDeletions();

    @Test
    void theCleanersDeletionIsPublishedWithItsReasonOnce() {
        deletions.startPass();
        assertTrue(deletions.claim("uid-1", CsrDeletionReason.DENIED_PAST_DEADLINE));

        assertEquals(CsrDeletionReason.DENIED_PAST_DEADLINE, deletions.explain(deleted("a", "uid-1")).deletedBecause());
        assertNull(deletions.explain(deleted("a", "uid-1")).deletedBecause(), "the claim is used up");
        assertEquals(0, deletions.size());
    }

    @Test
    void aDeletionBySomeoneElseHasNoReasonEvenUnderTheSameName() {
        deletions.startPass();
        deletions.claim("uid-1", CsrDeletionReason.PENDING_PAST_DEADLINE);

        assertNull(deletions.explain(deleted("a", "uid-2")).deletedBecause(), "another CSR named a");
        assertEquals(1, deletions.size());
    }

    @Test
    void aCsrWhoseDeletionIsUnderWayIsNotClaimedTwice() {
        deletions.startPass();
        assertTrue(deletions.claim("uid-1", CsrDeletionReason.DENIED_PAST_DEADLINE));
        deletions.startPass();
        assertFalse(deletions.claim("uid-1", CsrDeletionReason.DENIED_PAST_DEADLINE));
        deletions.release("uid-1");
        assertTrue(deletions.claim("uid-1", CsrDeletionReason.DENIED_PAST_DEADLINE));
    }

    @Test
    void claimsTheInformerNeverUsedAreDroppedAPassLater() {
        deletions.startPass();
        deletions.claim("uid-1", CsrDeletionReason.CERTIFICATE_EXPIRED);
        deletions.startPass();
        assertEquals(1, deletions.size(), "its delete event may still be on the way");
        deletions.startPass();
        assertEquals(0, deletions.size());
    }

    private static CsrObserved deleted(String name, String uid) {
        Instant now = Instant.parse("2026-06-01T12:00:00Z");
        return new CsrObserved(name, uid, "9", "example.com/signer", null, List.of(), null, null, List.of(), null,
                CsrPhase.DELETED, now, now);
    }
}
