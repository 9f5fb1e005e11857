package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.SignerNames;
import io.csrflow.pki.SubjectAltNames;

/**
 * Kubelet serving certificates, which kube-controller-manager never approves because a node writes
 * its own {@code status.addresses}. csrflow approves one only when it does not rest on the node's
 * word alone; in this order, the first failing check decides:
 * <ol>
 * <li>the shape (recognizer), a requester in {@code system:nodes}, lifetime and SAN count bounds;</li>
 * <li>no SAN is reserved ({@link ReservedAddresses}): DENIED {@code SANReserved};</li>
 * <li>every SAN is within the operator's bounds (DNS pattern, IP ranges): DENIED {@code OutsideServingPolicy};</li>
 * <li>the Node exists: otherwise NO_OPINION {@code NodeNotFound}, asked again (kubelets ask right after registering);</li>
 * <li>an IP SAN is an InternalIP/ExternalIP and a DNS SAN a Hostname/InternalDNS/ExternalDNS of that
 * Node: DENIED {@code SANNotANodeAddress};</li>
 * <li>no other Node lists it, and no DNS SAN's first label is another Node's name or hostname label:
 * DENIED {@code SANOwnedByAnotherNode};</li>
 * <li>a SAN of a type no bound covers, unless the operator trusts node-reported addresses: NO_OPINION
 * {@code ServingAddressesUnbounded}, left to an administrator;</li>
 * <li>an address the Node added after registering has been there for the settle time: otherwise
 * NO_OPINION {@code SANAddressTooNew}, asked again. Addresses a Node lists in its first settle time
 * after creation are the ones it registered with and wait for nothing.</li>
 * </ol>
 */
final class KubeletServingRule implements ApprovalRule {
    static final String NAME = "kubelet-serving";
    static final String APPROVED_MESSAGE = "Auto approving kubelet serving certificate after checking node addresses.";
    static final Set<String> IP_TYPES = Set.of("InternalIP", "ExternalIP");
    static final Set<String> DNS_TYPES = Set.of("Hostname", "InternalDNS", "ExternalDNS");
    static final String NODES_GROUP = "system:nodes";

    /** One DNS or IP SAN. */
    private record San(boolean ip, String value) {
        String label() {
            return (ip ? "IP:" : "DNS:") + value;
        }
    }

    private final PolicySettings.KubeletServing settings;
    private final ReservedAddresses reserved;
    private final NodeDirectory nodes;
    private final Clock clock;

    KubeletServingRule(PolicySettings.KubeletServing settings, PolicySettings.Cluster cluster, NodeDirectory nodes,
            Clock clock) {
        this.settings = settings;
        this.reserved = new ReservedAddresses(cluster);
        this.nodes = nodes;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        if (!settings.enabled() || !SignerNames.KUBELET_SERVING.equals(review.csr().signerName())) {
            return Optional.empty();
        }
        Recognition recognition = Recognizers.kubeletServing(review.recognizerRequest());
        review.addAll(recognition.checks());
        if (!recognition.recognized()) {
            return unrecognized(review, recognition.firstFailure().name() + ": " + recognition.firstFailure().detail());
        }
        // The username is only a string the requester's credential maps to; membership of system:nodes
        // is what the API server's node authenticators (node client certificates, bootstrap-issued
        // credentials) grant, so a request from outside it is not a kubelet's, whatever its username.
        List<String> groups = review.csr().requester().groups();
        boolean inNodes = groups.contains(NODES_GROUP);
        String groupDetail = "spec.groups " + groups + (inNodes ? "" : " do not include " + NODES_GROUP
                + ", so the requester did not authenticate as a node");
        review.check("requester-in-system-nodes", inNodes, groupDetail);
        if (!inNodes) {
            return unrecognized(review, "requester-in-system-nodes: " + groupDetail);
        }
        SubjectAltNames parsed = review.parsed().sans();
        Optional<String> limit = limitViolation(review, parsed);
        if (limit.isPresent()) {
            return Optional.of(Decision.denied(NAME, DecisionReason.OUTSIDE_SERVING_POLICY, limit.get(), review.checks()));
        }
        List<San> sans = new ArrayList<>();
        parsed.dnsNames().forEach(d -> sans.add(new San(false, d)));
        parsed.ipAddresses().forEach(i -> sans.add(new San(true, i)));

        List<String> reservedSans = failing(sans, san -> san.ip() ? reserved.ipAddress(ip(san)) : reserved.dnsName(san.value()));
        review.check("sans-not-reserved", reservedSans.isEmpty(), reservedSans.isEmpty()
                ? "no wildcard, loopback, API server, Service or Pod name or address" : String.join(", ", reservedSans));
        if (!reservedSans.isEmpty()) {
            return deny(review, DecisionReason.SAN_RESERVED, "SAN " + String.join(", ", reservedSans) + " may never be certified for a node");
        }
        List<String> outOfBounds = failing(sans, this::boundViolation);
        review.check("sans-within-bounds", outOfBounds.isEmpty(), outOfBounds.isEmpty()
                ? "within " + bounds() : String.join(", ", outOfBounds));
        if (!outOfBounds.isEmpty()) {
            return deny(review, DecisionReason.OUTSIDE_SERVING_POLICY, "SAN " + String.join(", ", outOfBounds));
        }

        String nodeName = Recognizers.nodeName(review.parsed().commonName());
        if (!nodes.synced()) {
            // Stopped for good is not "not yet": the Nodes it holds are frozen until it has listed afresh.
            String state = nodes.stopped() ? "the Node cache stopped following Nodes (the approver's log says why) "
                    + "and lists them afresh shortly" : "the Node cache has not read every Node yet";
            review.check("node-cache-synced", false, state);
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.NODE_CACHE_NOT_SYNCED, state
                    + ", so ownership of the SANs cannot be told; will ask again", review.checks(), true));
        }
        Optional<NodeDirectory.KnownNode> found = nodes.node(nodeName);
        review.check("node-exists", found.isPresent(), "Node " + nodeName);
        if (found.isEmpty()) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.NODE_NOT_FOUND, "Node " + nodeName
                    + " is not registered yet; will ask again", review.checks(), true));
        }
        NodeDirectory.KnownNode node = found.get();
        List<String> notListed = failing(sans, san -> match(node, san).isPresent() ? Optional.empty()
                : Optional.of("not " + (san.ip() ? "an InternalIP or ExternalIP" : "a Hostname, InternalDNS or ExternalDNS")
                        + " of Node " + nodeName));
        review.check("sans-are-node-addresses", notListed.isEmpty(), notListed.isEmpty()
                ? "all SANs are addresses of Node " + nodeName + " of the matching type" : String.join(", ", notListed));
        if (!notListed.isEmpty()) {
            return deny(review, DecisionReason.SAN_NOT_A_NODE_ADDRESS, "SAN " + String.join(", ", notListed));
        }
        List<String> shared = failing(sans, san -> otherOwners(nodeName, san));
        review.check("sans-owned-by-this-node-only", shared.isEmpty(), shared.isEmpty()
                ? "no other Node lists them or has their first label as its name or hostname" : String.join(", ", shared));
        if (!shared.isEmpty()) {
            return deny(review, DecisionReason.SAN_OWNED_BY_ANOTHER_NODE, "SAN " + String.join(", ", shared));
        }
        List<String> unbounded = settings.trustNodeReportedAddresses() ? List.of() : failing(sans, this::unbounded);
        review.check("sans-bounded", unbounded.isEmpty(), settings.trustNodeReportedAddresses()
                ? "the operator trusts node-reported addresses" : unbounded.isEmpty() ? "every SAN type is bounded"
                : String.join(", ", unbounded));
        if (!unbounded.isEmpty()) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.SERVING_ADDRESSES_UNBOUNDED, "SAN " + String.join(", ", unbounded)
                    + "; an administrator may approve it", review.checks(), false));
        }
        Instant now = clock.instant();
        List<String> tooNew = failing(sans, san -> tooNew(node, match(node, san).get(), now));
        review.check("addresses-settled", tooNew.isEmpty(), tooNew.isEmpty()
                ? "registered with the Node or present for " + settings.addressSettleTime() : String.join(", ", tooNew));
        if (!tooNew.isEmpty()) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.SAN_ADDRESS_TOO_NEW, "SAN " + String.join(", ", tooNew)
                    + "; will ask again", review.checks(), true));
        }
        return Optional.of(Decision.approved(NAME, APPROVED_MESSAGE, review.checks()));
    }

    /** "LABEL (why)" for each SAN the check finds fault with. */
    private static List<String> failing(List<San> sans, Function<San, Optional<String>> check) {
        List<String> found = new ArrayList<>();
        for (San san : sans) {
            check.apply(san).ifPresent(why -> found.add(san.label() + " (" + why + ")"));
        }
        return found;
    }

    private Optional<NodeDirectory.KnownAddress> match(NodeDirectory.KnownNode node, San san) {
        String wanted = NodeAddressForms.canonical(san.value());
        Set<String> types = san.ip() ? IP_TYPES : DNS_TYPES;
        return node.addresses().stream()
                .filter(a -> types.contains(a.type()) && NodeAddressForms.canonical(a.address()).equals(wanted))
                .findFirst();
    }

    private Optional<String> otherOwners(String nodeName, San san) {
        Set<String> listing = new TreeSet<>(nodes.nodesListing(san.value()));
        listing.remove(nodeName);
        // A name whose first label is another Node's name or hostname is that Node's even where no
        // Node lists it: node-b.nodes.example must not go to node A because node B reports no DNS name.
        Set<String> namesakes = new TreeSet<>(san.ip() ? Set.of() : nodes.nodesNamedAfter(san.value()));
        namesakes.remove(nodeName);
        namesakes.removeAll(listing);
        List<String> why = new ArrayList<>();
        if (!listing.isEmpty()) {
            why.add("also listed by Node " + String.join(", Node ", listing));
        }
        if (!namesakes.isEmpty()) {
            why.add("also named after Node " + String.join(", Node ", namesakes));
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    /**
     * An address the Node registered with (listed within the settle time of its creation, and given
     * up by no other Node since) waits for nothing; any other must have been the Node's, and no one
     * else's, for the settle time: a node cannot list a neighbour's address for weeks and be
     * certified for it the moment the neighbour is gone.
     */
    private Optional<String> tooNew(NodeDirectory.KnownNode node, NodeDirectory.KnownAddress address, Instant now) {
        Duration settle = settings.addressSettleTime();
        Optional<Instant> released = nodes.lastReleased(address.address());
        boolean releasedSince = released.isPresent() && released.get().isAfter(node.created());
        boolean registeredWith = !releasedSince
                && Duration.between(node.created(), address.firstSeen()).compareTo(settle) < 0;
        Instant from = releasedSince && released.get().isAfter(address.firstSeen()) ? released.get()
                : address.firstSeen();
        Instant settled = from.plus(settle);
        if (registeredWith || !now.isBefore(settled)) {
            return Optional.empty();
        }
        return Optional.of(from.equals(address.firstSeen())
                ? "added to Node " + node.name() + " after it registered, first seen " + address.firstSeen()
                        + "; certified from " + settled
                : "another Node listed it until " + from + "; certified from " + settled);
    }

    private Optional<String> boundViolation(San san) {
        if (san.ip()) {
            if (!settings.ipRanges().isEmpty() && settings.ipRanges().stream().noneMatch(c -> c.contains(ip(san)))) {
                return Optional.of("outside the allowed IP ranges " + settings.ipRanges());
            }
        } else if (settings.dnsNamePattern().isPresent() && !settings.dnsNamePattern().get().matcher(san.value()).matches()) {
            return Optional.of("does not match the DNS name pattern " + settings.dnsNamePattern().get());
        }
        return Optional.empty();
    }

    private Optional<String> unbounded(San san) {
        boolean bounded = san.ip() ? !settings.ipRanges().isEmpty() : settings.dnsNamePattern().isPresent();
        return bounded ? Optional.empty() : Optional.of(san.ip()
                ? "no csrflow.approver.kubelet-serving.ip-ranges bound IP SANs, and node-reported addresses are not trusted"
                : "no csrflow.approver.kubelet-serving.dns-name-pattern bounds DNS SANs, and node-reported addresses are not trusted");
    }

    private String bounds() {
        List<String> parts = new ArrayList<>();
        settings.dnsNamePattern().ifPresent(p -> parts.add("DNS pattern " + p));
        if (!settings.ipRanges().isEmpty()) {
            parts.add("IP ranges " + settings.ipRanges());
        }
        return parts.isEmpty() ? "no bounds configured" : String.join(", ", parts);
    }

    private Optional<String> limitViolation(Review review, SubjectAltNames sans) {
        if (settings.maxSans().isPresent()) {
            int max = settings.maxSans().get();
            int count = sans.dnsNames().size() + sans.ipAddresses().size();
            review.check("max-sans", count <= max, count + " SANs, at most " + max);
            if (count > max) {
                return Optional.of(count + " SANs requested; at most " + max + " are allowed");
            }
        }
        if (settings.maxExpiration().isPresent()) {
            Duration max = settings.maxExpiration().get();
            Integer requested = review.csr().expirationSeconds();
            boolean ok = requested != null && requested <= max.toSeconds();
            review.check("max-expiration", ok, (requested == null ? "no expirationSeconds" : requested + "s")
                    + ", at most " + max.toSeconds() + "s");
            if (!ok) {
                return Optional.of("spec.expirationSeconds must be set and at most " + max.toSeconds());
            }
        }
        return Optional.empty();
    }

    /** A request that is not a kubelet's serving request: denied or left alone, as the operator chose. */
    private Optional<Decision> unrecognized(Review review, String failure) {
        String message = "not a valid kubelet serving CSR: " + failure;
        return Optional.of(settings.denyUnrecognized()
                ? Decision.denied(NAME, DecisionReason.INVALID_SERVING_REQUEST, message, review.checks())
                : Decision.noOpinion(NAME, DecisionReason.NOT_RECOGNIZED, message, review.checks(), false));
    }

    private static Optional<Decision> deny(Review review, DecisionReason reason, String message) {
        return Optional.of(Decision.denied(NAME, reason, message, review.checks()));
    }

    private static InetAddress ip(San san) {
        return IpLiteral.parse(san.value()).orElseThrow(() -> new IllegalArgumentException("not an IP literal: "
                + san.value()));
    }
}
