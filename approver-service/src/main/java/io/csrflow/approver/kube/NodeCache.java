package io.csrflow.approver.kube;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.csrflow.approver.ApproverConfig;
import io.csrflow.approver.domain.NodeAddressForms;
import io.csrflow.approver.domain.NodeDirectory;
import io.csrflow.service.Backoff;
import io.csrflow.service.FollowedInformer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.StartupEvent;

/**
 * Nodes from an informer cache, so that a serving CSR costs no API call for its Node, with when each
 * address was first seen and when one was last given up. The informer's store is the truth for what a
 * Node lists now; the handler stamps first sightings (forgetting addresses a Node dropped, so one
 * listed again is new again) and releases. A Node and its addresses seen for the first time when this
 * replica starts are stamped then: their real age is unknown, so an address of a Node older than the
 * settle time waits once.
 */
@ApplicationScoped
public class NodeCache implements NodeDirectory {
    private static final String BY_CLAIM = "claimed-address";
    private static final String BY_FIRST_LABEL = "name-first-label";

    private final KubernetesClient client;
    private final Clock clock;
    /** Releases are needed only while they can still hold an address back. */
    private final Duration releaseMemory;
    /** uid → (type|canonical address) → first seen. */
    private final Map<String, Map<String, Instant>> firstSeen = new ConcurrentHashMap<>();
    /** canonical address → when a Node last stopped listing it. */
    private final Map<String, Instant> released = new ConcurrentHashMap<>();
    private final Backoff restarts;
    private volatile FollowedInformer<Node> followed;

    @Inject
    NodeCache(KubernetesClient client, Clock clock, ApproverConfig config) {
        this(client, clock, config, FollowedInformer.RESTARTS);
    }

    /** @param restarts the pauses before an informer that stopped for good is started afresh */
    NodeCache(KubernetesClient client, Clock clock, ApproverConfig config, Backoff restarts) {
        this.client = client;
        this.clock = clock;
        this.releaseMemory = config.approver().kubeletServing().addressSettleTime();
        this.restarts = restarts;
    }

    void start(@Observes StartupEvent event) {
        // Returns at once: an API server that does not answer yet leaves the cache unsynced (not
        // ready), and the informer lists again with backoff until it answers; one that stops for good
        // is started afresh.
        followed = new FollowedInformer<>("Nodes", this::newInformer, restarts).start();
    }

    private SharedIndexInformer<Node> newInformer() {
        if (followed != null) {
            // Started afresh (at the first start it is still null): a Node that gave up an address or
            // was deleted while the informer was stopped raised no event, so that address was never
            // released. As after a restart of the approver, every address is first seen now.
            firstSeen.clear();
        }
        SharedIndexInformer<Node> created = client.nodes().runnableInformer(0);
        created.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                stamp(node);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                Set<String> now = claimed(node);
                claimed(old).stream().filter(a -> !now.contains(a)).forEach(NodeCache.this::release);
                stamp(node);
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                firstSeen.remove(uid(node));
                claimed(node).forEach(NodeCache.this::release);
            }
        });
        // Every SAN of every serving CSR is looked up by the addresses Nodes claim: an index kept by the
        // informer with each change, not a scan of all Nodes per lookup.
        created.addIndexers(Map.of(BY_CLAIM, node -> List.copyOf(claimed(node)),
                BY_FIRST_LABEL, node -> List.copyOf(firstLabels(node))));
        return created;
    }

    private SharedIndexInformer<Node> informer() {
        FollowedInformer<Node> current = followed;
        return current == null ? null : current.current();
    }

    @Override
    public Optional<KnownNode> node(String name) {
        SharedIndexInformer<Node> current = informer();
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
        Set<String> names = new TreeSet<>();
        SharedIndexInformer<Node> current = informer();
        if (current != null) {
            for (Node node : current.getIndexer().byIndex(BY_CLAIM, NodeAddressForms.canonical(address))) {
                names.add(node.getMetadata().getName());
            }
        }
        return names;
    }

    @Override
    public Set<String> nodesNamedAfter(String dnsName) {
        Set<String> names = new TreeSet<>();
        SharedIndexInformer<Node> current = informer();
        Optional<String> label = NodeAddressForms.firstLabel(dnsName);
        if (current != null && label.isPresent()) {
            for (Node node : current.getIndexer().byIndex(BY_FIRST_LABEL, label.get())) {
                names.add(node.getMetadata().getName());
            }
        }
        return names;
    }

    @Override
    public Optional<Instant> lastReleased(String address) {
        Instant at = released.get(NodeAddressForms.canonical(address));
        if (at != null && at.plus(releaseMemory).isBefore(clock.instant())) {
            released.remove(NodeAddressForms.canonical(address), at);
            return Optional.empty();
        }
        return Optional.ofNullable(at);
    }

    @Override
    public boolean synced() {
        FollowedInformer<Node> current = followed;
        // Not while an informer that stopped for good waits to be started afresh: its Nodes are frozen,
        // and no evidence of ownership.
        return current != null && current.synced();
    }

    @Override
    public boolean stopped() {
        FollowedInformer<Node> current = followed;
        return current != null && current.stopped();
    }

    private void release(String canonicalAddress) {
        released.put(canonicalAddress, clock.instant());
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

    /** A Node's addresses, its name and its hostname label, canonical: all of them are its own. */
    private static Set<String> claimed(Node node) {
        Set<String> addresses = new HashSet<>();
        addresses(node).forEach(a -> addresses.add(NodeAddressForms.canonical(a.getAddress())));
        names(node).forEach(n -> addresses.add(NodeAddressForms.canonical(n)));
        return Set.copyOf(addresses);
    }

    /** The first labels of a Node's name and hostname label: any DNS name starting with one is named after it. */
    private static Set<String> firstLabels(Node node) {
        Set<String> labels = new HashSet<>();
        names(node).forEach(n -> NodeAddressForms.firstLabel(n).ifPresent(labels::add));
        return Set.copyOf(labels);
    }

    /** A Node's name and its {@code kubernetes.io/hostname} label, where set. */
    private static List<String> names(Node node) {
        List<String> names = new ArrayList<>();
        if (node.getMetadata().getName() != null) {
            names.add(node.getMetadata().getName());
        }
        String hostname = node.getMetadata().getLabels() == null ? null
                : node.getMetadata().getLabels().get("kubernetes.io/hostname");
        if (hostname != null) {
            names.add(hostname);
        }
        return names;
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
        if (followed != null) {
            followed.close();
        }
    }
}
