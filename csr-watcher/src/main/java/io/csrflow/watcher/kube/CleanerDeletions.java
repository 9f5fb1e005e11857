package io.csrflow.watcher.kube;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;

/**
 * The deletions the cleaner has asked for, by CSR uid, so that the informer's delete event (which
 * says only that the CSR is gone) is published with the cleaner's reason. A deletion is claimed
 * before the API is asked, because the watch may deliver the event before the API's answer
 * arrives; a deletion that did not happen is released. Claims the informer never consumed (it
 * stopped) are dropped one pass later, or when leadership is lost, so memory stays bounded.
 */
@ApplicationScoped
public class CleanerDeletions {
    private record Claim(CsrDeletionReason reason, long pass) {
    }

    private final Map<String, Claim> byUid = new ConcurrentHashMap<>();
    private volatile long pass;

    /** Starts a pass; claims from before the previous pass are dropped. */
    void startPass() {
        long current = ++pass;
        byUid.values().removeIf(claim -> claim.pass() < current - 1);
    }

    /**
     * Claims the deletion of {@code uid}; false if it is claimed already (asked for in an earlier
     * pass, its delete event not seen yet), and then the CSR is to be left alone.
     */
    boolean claim(String uid, CsrDeletionReason reason) {
        return byUid.putIfAbsent(uid, new Claim(reason, pass)) == null;
    }

    void release(String uid) {
        byUid.remove(uid);
    }

    void clear() {
        byUid.clear();
    }

    int size() {
        return byUid.size();
    }

    /** The snapshot of a deleted CSR, with the cleaner's reason if the cleaner deleted it. */
    public CsrObserved explain(CsrObserved deleted) {
        Claim claim = byUid.remove(deleted.uid());
        return claim == null ? deleted : deleted.withDeletedBecause(claim.reason());
    }
}
