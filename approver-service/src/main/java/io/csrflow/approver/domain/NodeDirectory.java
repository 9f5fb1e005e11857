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

    /** The names of every Node listing this address (compared in {@link NodeAddressForms#canonical} form). */
    Set<String> nodesListing(String address);
}
