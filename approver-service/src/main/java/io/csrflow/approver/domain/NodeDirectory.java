package io.csrflow.approver.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Nodes the approver knows (an informer cache), with when each address was first seen: a Node
 * writes its own {@code status.addresses}, so an address is evidence only with its age and only if
 * no other Node claims it.
 */
public interface NodeDirectory {
    /** One {@code status.addresses[]} entry: its type ({@code InternalIP}, {@code Hostname}, ...), value and first sighting. */
    record KnownAddress(String type, String address, Instant firstSeen) {
    }

    /** A Node: its name, its creationTimestamp (set by the API server) and its addresses. */
    record KnownNode(String name, Instant created, List<KnownAddress> addresses) {
        public KnownNode {
            addresses = List.copyOf(addresses);
        }
    }

    Optional<KnownNode> node(String name);

    /**
     * The names of every Node that claims this address (compared in {@link NodeAddressForms#canonical}
     * form): in its status, or as its own name (a Node owns its name even where it does not list it).
     */
    Set<String> nodesListing(String address);

    /**
     * The names of every Node whose name or {@code kubernetes.io/hostname} label has the first label of
     * this DNS name (compared in {@link NodeAddressForms#canonical} form): {@code node-b.nodes.example}
     * is named after Node {@code node-b} even where no Node lists it, so a node that lists it is
     * claiming a neighbour's name under a domain no one else reports.
     */
    Set<String> nodesNamedAfter(String dnsName);

    /**
     * When a Node last stopped listing this address (its status changed, or it was deleted), if ever
     * seen: an address another Node gave up must settle again before anyone is certified for it.
     */
    Optional<Instant> lastReleased(String address);

    /** Whether the directory has read every Node: before that, no Node's ownership can be told. */
    boolean synced();

    /** Whether the directory stopped following Nodes for good: it is not synced until it has listed them afresh. */
    boolean stopped();
}
