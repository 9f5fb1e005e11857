package io.csrflow.watcher.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.csrflow.watcher.domain.LatestSnapshotOutbox.Pending;

class LatestSnapshotOutboxTest {
    private final LatestSnapshotOutbox<String> outbox = newOutbox();

    /** An outbox whose snapshots are their own versions; "gone" is an object's last state. */
    static <T> LatestSnapshotOutbox<T> newOutbox() {
        return new LatestSnapshotOutbox<>(String::valueOf, "gone"::equals);
    }

    private Pending<String> next() throws InterruptedException {
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
        Pending<String> first = next();
        outbox.offer("a", "a2");
        assertTrue(outbox.poll(0).isEmpty(), "a2 waits until a1 is acknowledged");

        outbox.sent(first);
        assertEquals("a2", next().snapshot());
    }

    @Test
    void failedSnapshotIsOfferedAgainUnlessReplaced() throws Exception {
        outbox.offer("a", "a1");
        outbox.failed(next());
        Pending<String> retry = next();
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

    /** What the cleaner asks before deleting a CSR: is the state it judged on the topic? */
    @Test
    void acknowledgedIsTheVersionTheBrokerHasNotOneWaitingOrInFlight() throws Exception {
        assertFalse(outbox.acknowledged("a", "a1"), "never offered (the cache can be ahead of the outbox)");
        outbox.offer("a", "a1");
        assertFalse(outbox.acknowledged("a", "a1"), "waiting");
        Pending<String> first = next();
        assertFalse(outbox.acknowledged("a", "a1"), "in flight");
        outbox.failed(first);
        assertFalse(outbox.acknowledged("a", "a1"), "failed, to be sent again");
        outbox.sent(next());
        assertTrue(outbox.acknowledged("a", "a1"), "acknowledged");
        assertFalse(outbox.acknowledged("b", "a1"), "another key");

        outbox.offer("a", "a2");
        assertFalse(outbox.acknowledged("a", "a2"), "a2 waiting");
        assertTrue(outbox.acknowledged("a", "a1"), "the broker still has a1");
        outbox.sent(next());
        assertTrue(outbox.acknowledged("a", "a2"));
        assertFalse(outbox.acknowledged("a", "a1"), "a1 is no longer the newest state on the topic");
        assertFalse(outbox.acknowledged("a", null));
    }

    @Test
    void anObjectsLastStateAcknowledgedForgetsItsVersion() throws Exception {
        outbox.offer("a", "a1");
        outbox.sent(next());
        outbox.offer("a", "gone");
        outbox.sent(next());
        assertFalse(outbox.acknowledged("a", "a1"));
        assertFalse(outbox.acknowledged("a", "gone"));
        assertEquals(0, outbox.backlog());
    }

    @Test
    void aClearForgetsWhatWasAcknowledgedAndASendFromBeforeItIsNotRemembered() throws Exception {
        outbox.offer("a", "a1");
        outbox.sent(next());
        outbox.offer("b", "b1");
        Pending<String> beforeClear = next();
        outbox.clear();
        assertFalse(outbox.acknowledged("a", "a1"), "forgotten with the term");

        outbox.sent(beforeClear);
        assertFalse(outbox.acknowledged("b", "b1"), "only what this term publishes counts");
        outbox.offer("b", "b1");
        outbox.sent(next());
        assertTrue(outbox.acknowledged("b", "b1"));
    }

    @Test
    void keysInterleaveInArrivalOrder() throws Exception {
        outbox.offer("a", "a1");
        outbox.offer("b", "b1");
        outbox.offer("a", "a2");
        assertEquals("a", next().key());
        assertEquals("b", next().key());
    }

    /** How a send reports back to the outbox; a clear must be safe against either. */
    enum Report {
        SENT {
            @Override
            <T> void to(LatestSnapshotOutbox<T> outbox, Pending<T> pending) {
                outbox.sent(pending);
            }
        },
        FAILED {
            @Override
            <T> void to(LatestSnapshotOutbox<T> outbox, Pending<T> pending) {
                outbox.failed(pending);
            }
        };

        abstract <T> void to(LatestSnapshotOutbox<T> outbox, Pending<T> pending);
    }

    @Test
    void snapshotOfferedAfterAClearWaitsForTheSendStillInFlightFromBeforeIt() throws Exception {
        outbox.offer("a", "a1");
        Pending<String> beforeClear = next();
        outbox.clear();
        outbox.offer("a", "a2");
        assertTrue(outbox.poll(0).isEmpty(), "a2 must not overtake a1, which is still in flight");

        outbox.sent(beforeClear);
        assertEquals("a2", next().snapshot());
    }

    @Test
    void otherKeysAreNotHeldUpByASendInFlightFromBeforeAClear() throws Exception {
        outbox.offer("a", "a1");
        next();
        outbox.clear();
        outbox.offer("a", "a2");
        outbox.offer("b", "b1");
        assertEquals("b1", next().snapshot());
    }

    @ParameterizedTest
    @EnumSource(Report.class)
    void reportFromBeforeAClearLeavesTheNewSnapshotQueuedExactlyOnce(Report report) throws Exception {
        outbox.offer("a", "a1");
        Pending<String> beforeClear = next();
        outbox.clear();
        outbox.offer("a", "a2");

        report.to(outbox, beforeClear);
        Pending<String> fresh = next();
        assertEquals("a2", fresh.snapshot());
        assertTrue(outbox.poll(0).isEmpty(), "a2 is queued once, not once per report");
        outbox.sent(fresh);
        assertEquals(0, outbox.backlog());
    }

    @ParameterizedTest
    @EnumSource(Report.class)
    void reportFromBeforeAClearDoesNotBringBackTheDroppedSnapshot(Report report) throws Exception {
        outbox.offer("a", "a1");
        Pending<String> beforeClear = next();
        outbox.clear();

        report.to(outbox, beforeClear);
        assertTrue(outbox.poll(0).isEmpty(), "the next leader publishes a1's CSR again, not this one");
        assertEquals(0, outbox.backlog());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 17, 4711})
    void randomInterleavingsKeepOneSendPerKeyInFlightAndEndWithTheNewestSnapshot(long seed) throws Exception {
        LatestSnapshotOutbox<Integer> outbox = newOutbox();
        Random random = new Random(seed);
        List<Pending<Integer>> inFlight = new ArrayList<>();
        Map<String, Integer> offeredSinceClear = new HashMap<>();
        Map<String, Integer> handedOut = new HashMap<>();
        /** Per key, the newest snapshot acknowledged in the current generation: what acknowledged() must say. */
        Map<String, Integer> acknowledgedSinceClear = new HashMap<>();
        long clears = 0;
        int value = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(100);
            if (op < 40) {
                String key = "k" + random.nextInt(5);
                outbox.offer(key, ++value);
                offeredSinceClear.put(key, value);
            } else if (op < 65) {
                Optional<Pending<Integer>> polled = outbox.poll(0);
                if (polled.isPresent()) {
                    Pending<Integer> p = polled.get();
                    assertTrue(inFlight.stream().noneMatch(q -> q.key().equals(p.key())),
                            "step " + step + ": second send of " + p.key() + " in flight");
                    assertTrue(p.snapshot() >= handedOut.getOrDefault(p.key(), 0),
                            "step " + step + ": " + p.key() + " went back to an older snapshot");
                    handedOut.put(p.key(), p.snapshot());
                    inFlight.add(p);
                }
            } else if (op < 97) {
                if (!inFlight.isEmpty()) {
                    Report report = op < 85 ? Report.SENT : Report.FAILED;
                    Pending<Integer> p = inFlight.remove(random.nextInt(inFlight.size()));
                    report.to(outbox, p);
                    if (report == Report.SENT && p.generation() == clears) {
                        acknowledgedSinceClear.put(p.key(), p.snapshot());
                    }
                }
            } else {
                outbox.clear();
                clears++;
                offeredSinceClear.clear();
                acknowledgedSinceClear.clear();
            }
            for (int k = 0; k < 5; k++) {
                String key = "k" + k;
                Integer acknowledged = acknowledgedSinceClear.get(key);
                Integer newest = offeredSinceClear.get(key);
                if (acknowledged != null) {
                    assertTrue(outbox.acknowledged(key, acknowledged.toString()), "step " + step + ": " + key);
                }
                if (newest != null && !newest.equals(acknowledged)) {
                    assertFalse(outbox.acknowledged(key, newest.toString()), "step " + step + ": " + key
                            + " " + newest + " is not acknowledged yet");
                }
            }
        }
        inFlight.forEach(outbox::sent);
        for (var p = outbox.poll(0); p.isPresent(); p = outbox.poll(0)) {
            handedOut.put(p.get().key(), p.get().snapshot());
            outbox.sent(p.get());
        }
        offeredSinceClear.forEach((key, newest) -> assertEquals(newest, handedOut.get(key), key));
        assertEquals(0, outbox.backlog());
    }

    @Test
    void concurrentOffersPollsReportsAndClearsNeverPutTwoSendsOfAKeyInFlight() throws Exception {
        LatestSnapshotOutbox<Integer> outbox = newOutbox();
        Set<String> keysInFlight = ConcurrentHashMap.newKeySet();
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger values = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(t);
                workers.add(threads.submit(() -> {
                    start.await();
                    List<Pending<Integer>> mine = new ArrayList<>();
                    for (int step = 0; step < 20_000; step++) {
                        int op = random.nextInt(100);
                        if (op < 40) {
                            outbox.offer("k" + random.nextInt(5), values.incrementAndGet());
                        } else if (op < 65) {
                            outbox.poll(0).ifPresent(p -> {
                                if (!keysInFlight.add(p.key())) {
                                    violations.add("second send of " + p.key() + " in flight");
                                }
                                mine.add(p);
                            });
                        } else if (op < 99) {
                            if (!mine.isEmpty()) {
                                Pending<Integer> p = mine.remove(random.nextInt(mine.size()));
                                // Forget the key before reporting: once reported it may be handed out again.
                                keysInFlight.remove(p.key());
                                (op < 85 ? Report.SENT : Report.FAILED).to(outbox, p);
                            }
                        } else {
                            outbox.clear();
                        }
                    }
                    for (Pending<Integer> p : mine) {
                        keysInFlight.remove(p.key());
                        outbox.sent(p);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(List.of(), List.copyOf(violations));
        for (var p = outbox.poll(0); p.isPresent(); p = outbox.poll(0)) {
            outbox.sent(p.get());
        }
        assertEquals(0, outbox.backlog());
    }
}
