package io.csrflow.watcher.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LatestSnapshotOutboxTest {
    private final LatestSnapshotOutbox<String> outbox = new LatestSnapshotOutbox<>();

    private LatestSnapshotOutbox.Pending<String> next() throws InterruptedException {
        return outbox.poll(0).orElseThrow();
    }

    @Test
    void newerSnapshotReplacesAnUnsentOne() throws Exception {
        outbox.offer("a", "a1");
        outbox.offer("a", "a2");
        assertEquals(1, outbox.backlog());
        assertEquals("a2", next().snapshot());
        assertTrue(outbox.poll(0).isEmpty());
    }

    @Test
    void atMostOneSnapshotPerKeyIsInFlightAndOrderIsKept() throws Exception {
        outbox.offer("a", "a1");
        LatestSnapshotOutbox.Pending<String> first = next();
        outbox.offer("a", "a2");
        assertTrue(outbox.poll(0).isEmpty(), "a2 waits until a1 is acknowledged");

        outbox.sent(first);
        assertEquals("a2", next().snapshot());
    }

    @Test
    void failedSnapshotIsOfferedAgainUnlessReplaced() throws Exception {
        outbox.offer("a", "a1");
        outbox.failed(next());
        LatestSnapshotOutbox.Pending<String> retry = next();
        assertEquals("a1", retry.snapshot());

        outbox.offer("a", "a2");
        outbox.failed(retry);
        assertEquals("a2", next().snapshot());
    }

    @Test
    void acknowledgedKeysAreForgottenSoMemoryIsBoundedByKeys() throws Exception {
        for (int round = 0; round < 100; round++) {
            for (int key = 0; key < 50; key++) {
                outbox.offer("k" + key, "v" + round);
            }
        }
        assertEquals(50, outbox.backlog());
        List<String> sent = new ArrayList<>();
        for (var p = outbox.poll(0); p.isPresent(); p = outbox.poll(0)) {
            outbox.sent(p.get());
            sent.add(p.get().snapshot());
        }
        assertEquals(50, sent.size());
        assertTrue(sent.stream().allMatch("v99"::equals));
        assertEquals(0, outbox.backlog());
    }

    @Test
    void keysInterleaveInArrivalOrder() throws Exception {
        outbox.offer("a", "a1");
        outbox.offer("b", "b1");
        outbox.offer("a", "a2");
        assertEquals("a", next().key());
        assertEquals("b", next().key());
    }
}
