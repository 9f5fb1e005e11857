package io.csrflow.approver.kube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.approver.ApproverConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.service.Backoff;
import io.csrflow.testsupport.ScriptedApi;
import io.csrflow.testsupport.ScriptedApi.Answer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The Node cache against the API emulator: which Nodes a name belongs to, and when the cache is evidence. */
class NodeCacheTest {
    private static final String NODE_1 = "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n1\","
            + "\"uid\":\"u1\",\"resourceVersion\":\"1\"},\"status\":{\"addresses\":[{\"type\":\"InternalIP\","
            + "\"address\":\"10.0.0.1\"}]}}";
    private static final String NODE_2 = NODE_1.replace("n1", "n2").replace("u1", "u2").replace("10.0.0.1", "10.0.0.2");
    private final KubeEmulator api = KubeEmulator.startDefault();
    private final KubernetesClient admin = api.client("admin-token");
    private final NodeCache cache = new NodeCache(api.client("admin-token"), Clock.systemUTC(), config());

    static ApproverConfig config() {
        // Quarkus' duration format, for the mapping's defaults (5m, 1s); an absent optional is read from "".
        return new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, s -> s.isBlank() ? null : Duration.parse("PT" + s.toUpperCase(Locale.ROOT)))
                .withMapping(ApproverConfig.class).withValidateUnknown(false).build().getConfigMapping(ApproverConfig.class);
    }

    void node(String name, Map<String, String> labels, String... addresses) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().endStatus();
        for (String entry : addresses) {
            node.editStatus().addNewAddress(entry.substring(entry.indexOf('=') + 1), entry.substring(0,
                    entry.indexOf('='))).endStatus();
        }
        admin.nodes().resource(node.build()).create();
    }

    @Test
    void aNameWhoseFirstLabelIsANodesNameOrHostnameIsNamedAfterThatNode() {
        node("n9", Map.of("kubernetes.io/hostname", "host-9"), "InternalIP=10.0.0.90");
        node("n1.zone-a.example", Map.of(), "InternalIP=10.0.0.1", "InternalDNS=n9.nodes.example");
        cache.start(null);
        await().atMost(Duration.ofSeconds(20)).until(cache::synced);

        assertEquals(Set.of("n9"), cache.nodesNamedAfter("n9.nodes.example"));
        assertEquals(Set.of("n9"), cache.nodesNamedAfter("Host-9.Elsewhere.Example."));
        assertEquals(Set.of("n1.zone-a.example"), cache.nodesNamedAfter("n1"));
        assertEquals(Set.of(), cache.nodesNamedAfter("n2.nodes.example"));
        assertEquals(Set.of(), cache.nodesNamedAfter("10.0.0.90"));
        // Listing a name does not make it the lister's by name: n1 lists n9.nodes.example.
        assertEquals(Set.of("n1.zone-a.example"), cache.nodesListing("n9.nodes.example"));
    }

    @Test
    void aCacheClosedOnShutdownIsNotSyncedNorStoppedForGood() {
        node("n1", Map.of(), "InternalIP=10.0.0.1");
        cache.start(null);
        await().atMost(Duration.ofSeconds(20)).until(cache::synced);
        assertTrue(cache.node("n1").isPresent());

        cache.stop();
        assertFalse(cache.synced(), "a closed Node informer counts as synced");
        assertFalse(cache.stopped(), "closed, not failed");
    }

    /**
     * An API whose answer about Nodes cannot be read, once the cache has synced: the informer stops for
     * good, the cache's Nodes are frozen and not counted as synced (and say why), and it lists them
     * afresh, without a restart of the approver, once the answer reads again.
     */
    @Test
    void aCacheWhoseInformerStopsForGoodIsNotSyncedAndListsAfresh() {
        try (ScriptedApi scripted = ScriptedApi.start(Answer.READABLE); KubernetesClient client = scripted.client()) {
            scripted.items(List.of(NODE_1));
            NodeCache frozen = new NodeCache(client, Clock.systemUTC(), config(), Backoff.constant(Duration.ofSeconds(2)));
            try {
                frozen.start(null);
                await().atMost(Duration.ofSeconds(20)).until(frozen::synced);
                assertTrue(frozen.node("n1").isPresent());

                scripted.answer(Answer.UNREADABLE_WATCH);
                await().atMost(Duration.ofSeconds(20)).until(frozen::stopped);
                assertFalse(frozen.synced(), "a stopped Node informer counts as synced");
                Instant stoppedAt = Instant.now();

                scripted.items(List.of(NODE_1, NODE_2));
                scripted.answer(Answer.READABLE);
                await().atMost(Duration.ofSeconds(20)).until(frozen::synced);
                assertTrue(frozen.node("n2").isPresent(), "listed afresh");
                assertFalse(frozen.stopped());
                // Addresses given up while it was stopped were never released: as after a restart, the
                // settle time counts from now for every address, old ones included.
                Instant firstSeen = frozen.node("n1").orElseThrow().addresses().get(0).firstSeen();
                assertFalse(firstSeen.isBefore(stoppedAt), "n1's address first seen at " + firstSeen + ", before the stop");
            } finally {
                frozen.stop();
            }
        }
    }

    @AfterEach
    void close() {
        cache.stop();
        api.close();
    }
}
