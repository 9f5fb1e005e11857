package io.csrflow.approver.kube;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.approver.domain.NodeAddressForms;
import io.csrflow.approver.domain.NodeDirectory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.StartupEvent;

/**
 * Nodes from an informer cache, so that a serving CSR costs no API call for its Node, with when each
 * address was first seen. The informer's store is the truth for what a Node lists now; the handler
 * only stamps first sightings (and forgets addresses a Node dropped, so one listed again is new
 * again). A Node and its addresses seen for the first time when this replica starts are stamped
 * then: their real age is unknown, so an address of a Node older than the settle time waits once.
 */
@ApplicationScoped
public class NodeCache implements NodeDirectory {
    private final KubernetesClient client;
    private final Clock clock;
    /** uid → (type|canonical address) → first seen. */
    private final Map<String, Map<String, Instant>> firstSeen = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<Node> informer;

    NodeCache(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        informer = client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                stamp(node);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                stamp(node);
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                firstSeen.remove(uid(node));
            }
        });
    }

    @Override
    public Optional<KnownNode> node(String name) {
        SharedIndexInformer<Node> current = informer;
        Node node = current == null ? null : current.getStore().getByKey(name);
        if (node == null) {
            return Optional.empty();
        }
        Map<String, Instant> seen = stamp(node);
        List<KnownAddress> addresses = addresses(node).stream().map(a -> new KnownAddress(a.getType(), a.getAddress(),
                seen.get(key(a)))).toList();
        return Optional.of(new KnownNode(name, created(node), addresses));
    }

    @Override
    public Set<String> nodesListing(String address) {
        String wanted = NodeAddressForms.canonical(address);
        Set<String> names = new TreeSet<>();
        SharedIndexInformer<Node> current = informer;
        if (current != null) {
            for (Node node : current.getStore().list()) {
                if (addresses(node).stream().anyMatch(a -> NodeAddressForms.canonical(a.getAddress()).equals(wanted))) {
                    names.add(node.getMetadata().getName());
                }
            }
        }
        return names;
    }

    public boolean synced() {
        SharedIndexInformer<Node> current = informer;
        return current != null && current.hasSynced();
    }

    /** Records the first sighting of each address the Node lists now and forgets the ones it dropped. */
    private Map<String, Instant> stamp(Node node) {
        Instant now = clock.instant();
        return firstSeen.compute(uid(node), (uid, previous) -> {
            Map<String, Instant> next = new HashMap<>();
            for (NodeAddress address : addresses(node)) {
                String key = key(address);
                next.put(key, previous != null && previous.containsKey(key) ? previous.get(key) : now);
            }
            return next;
        });
    }

    private static String key(NodeAddress address) {
        return address.getType() + "|" + NodeAddressForms.canonical(String.valueOf(address.getAddress()));
    }

    private static String uid(Node node) {
        return node.getMetadata().getUid() != null ? node.getMetadata().getUid() : node.getMetadata().getName();
    }

    private static Instant created(Node node) {
        String timestamp = node.getMetadata().getCreationTimestamp();
        try {
            return timestamp == null ? Instant.EPOCH : Instant.parse(timestamp);
        } catch (RuntimeException e) {
            // No trustworthy creation time: the Node counts as old, so every address it lists must settle.
            return Instant.EPOCH;
        }
    }

    private static List<NodeAddress> addresses(Node node) {
        return node.getStatus() == null || node.getStatus().getAddresses() == null ? List.of()
                : node.getStatus().getAddresses().stream().filter(a -> a.getAddress() != null && a.getType() != null)
                        .toList();
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
