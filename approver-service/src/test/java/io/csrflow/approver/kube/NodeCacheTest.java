package io.csrflow.approver.kube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.approver.ApproverConfig;
import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The Node cache against the API emulator: which Nodes a name belongs to, and when the cache is evidence. */
class NodeCacheTest {
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
    void aStoppedInformerIsNoEvidenceThoughItOnceSynced() {
        node("n1", Map.of(), "InternalIP=10.0.0.1");
        cache.start(null);
        await().atMost(Duration.ofSeconds(20)).until(cache::synced);
        assertTrue(cache.node("n1").isPresent());

        // Stopped for good (as Informers stops one whose answers it cannot read): its Nodes are frozen.
        cache.stop();
        assertFalse(cache.synced(), "a stopped Node informer counts as synced");
    }

    @AfterEach
    void close() {
        cache.stop();
        api.close();
    }
}
