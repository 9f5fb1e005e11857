package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The per-CSR queue: order within a key, work of different keys side by side, room given back. */
class KeyedWorkTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void eachKeysWorkRunsInTheOrderHandedInAndNeverTwoAtOnce() throws Exception {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(8 * 50);
        try (KeyedWork work = new KeyedWork("test.work", 4, 1000, registry)) {
            for (int i = 0; i < 50; i++) {
                for (int k = 0; k < 8; k++) {
                    String key = "csr-" + k;
                    int n = i;
                    work.submit(key, () -> {
                        if (running.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.sleep(n % 3);
                        seen.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(n);
                        running.get(key).decrementAndGet();
                        all.countDown();
                    });
                }
            }
            assertTrue(all.await(30, TimeUnit.SECONDS));
        }
        assertEquals(0, overlaps.get(), "two items of one key ran at once");
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inOrder.add(i);
        }
        seen.forEach((key, order) -> assertEquals(inOrder, order, key));
    }

    @Test
    void workOfDifferentKeysRunsSideBySide() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (KeyedWork work = new KeyedWork("test.work", 2, 10, registry)) {
            for (String key : List.of("a", "b")) {
                work.submit(key, () -> {
                    bothRunning.countDown();
                    release.await();
                });
            }
            // Each waits for the other to have started: only possible if they run at once.
            assertTrue(bothRunning.await(10, TimeUnit.SECONDS), "the second key waited for the first");
            release.countDown();
        }
    }

    @Test
    void roomIsGivenBackOnlyWhenHeldWorkFinishes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (KeyedWork work = new KeyedWork("test.work", 1, 2, registry)) {
            CompletionStage<Void> first = work.submit("a", release::await);
            CompletionStage<Void> second = work.submit("b", () -> {
            });
            assertTrue(first.toCompletableFuture().isDone(), "room for a second item");
            assertFalse(second.toCompletableFuture().isDone(), "two held: the consumer must wait");
            assertEquals(2, work.queued());
            assertEquals(2.0, registry.get("test.work.queued").gauge().value());
            release.countDown();
            second.toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailedItemIsReportedAndTheKeysNextItemStillRuns() throws Exception {
        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(2);
        try (KeyedWork work = new KeyedWork("test.work", 2, 10, registry)) {
            work.submit("a", new KeyedWork.Item() {
                @Override
                public void run() {
                    throw new IllegalStateException("broken record");
                }

                @Override
                public void failed(Throwable error) {
                    outcomes.add("failed: " + error.getMessage());
                    done.countDown();
                }
            });
            work.submit("a", new KeyedWork.Item() {
                @Override
                public void run() {
                }

                @Override
                public void finished() {
                    outcomes.add("finished");
                    done.countDown();
                }
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("failed: broken record", "finished"), outcomes);
    }
}
