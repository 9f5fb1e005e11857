package io.csrflow.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.csrflow.testsupport.ScriptedApi;
import io.csrflow.testsupport.ScriptedApi.Answer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;

/** An informer that stops for good on an answer it cannot read is not synced, and is started afresh. */
class FollowedInformerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Backoff QUICK = Backoff.constant(Duration.ofMillis(200));
    private static final String NODE = "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n1\","
            + "\"resourceVersion\":\"1\"}}";

    private static FollowedInformer<Node> nodes(KubernetesClient client, Backoff restarts) {
        return new FollowedInformer<>("Nodes", () -> client.nodes().runnableInformer(0), restarts);
    }

    @Test
    void anUnreadableFirstListStopsItAndItIsStartedAfreshUntilTheAnswerReads() {
        try (ScriptedApi api = ScriptedApi.start(Answer.UNREADABLE_LIST); KubernetesClient client = api.client()) {
            api.items(List.of(NODE));
            FollowedInformer<Node> nodes = nodes(client, QUICK).start();
            await().atMost(WAIT).until(() -> nodes.startedAfresh() >= 2);
            assertFalse(nodes.synced());

            api.answer(Answer.READABLE);
            await().atMost(WAIT).until(nodes::synced);
            assertTrue(nodes.current().getStore().getByKey("n1") != null, "listed afresh");
            assertFalse(nodes.stopped());
            nodes.close();
        }
    }

    /** What the once-synced cache holds is frozen after the stop: not evidence any more, until listed again. */
    @Test
    void anUnreadableWatchEventAfterSyncingMakesItNotSyncedUntilStartedAfresh() {
        try (ScriptedApi api = ScriptedApi.start(Answer.READABLE); KubernetesClient client = api.client()) {
            api.items(List.of(NODE));
            AtomicInteger listedAfresh = new AtomicInteger();
            FollowedInformer<Node> nodes = nodes(client, Backoff.constant(Duration.ofSeconds(3)))
                    .onListedAfresh(listedAfresh::incrementAndGet).start();
            await().atMost(WAIT).until(nodes::synced);
            assertEquals(0, listedAfresh.get(), "the first list is no fresh start");

            api.answer(Answer.UNREADABLE_WATCH);
            await().atMost(WAIT).until(nodes::stopped);
            assertFalse(nodes.synced(), "a stopped informer's cache counts as synced");
            assertEquals(0, nodes.startedAfresh());

            api.answer(Answer.READABLE);
            await().atMost(WAIT).until(nodes::synced);
            assertEquals(1, nodes.startedAfresh());
            // Its owner looks at everything again: what was deleted meanwhile raised no event.
            await().atMost(WAIT).until(() -> listedAfresh.get() == 1);
            nodes.close();
        }
    }

    /** Closed while a start afresh is pending (the service stops): nothing is started or listed after it. */
    @Test
    void anInformerClosedWhileAStartAfreshIsPendingIsNotStartedAgain() throws Exception {
        try (ScriptedApi api = ScriptedApi.start(Answer.UNREADABLE_LIST); KubernetesClient client = api.client()) {
            FollowedInformer<Node> nodes = nodes(client, Backoff.constant(Duration.ofSeconds(1))).start();
            await().atMost(WAIT).until(nodes::stopped);
            nodes.close();
            int lists = api.lists();
            api.answer(Answer.READABLE);
            Thread.sleep(2_500);
            assertEquals(0, nodes.startedAfresh());
            assertEquals(lists, api.lists(), "listed again after closing");
            assertFalse(nodes.synced());
        }
    }
}
