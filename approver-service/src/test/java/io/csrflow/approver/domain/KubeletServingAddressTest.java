package io.csrflow.approver.domain;

import static io.csrflow.approver.domain.ApprovalPolicyTest.NODE_1;
import static io.csrflow.approver.domain.ApprovalPolicyTest.NOW;
import static io.csrflow.approver.domain.ApprovalPolicyTest.SERVING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.Requester;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.SignerNames;
import io.csrflow.testsupport.TestCsrs;

/**
 * A node writes its own status.addresses, so a serving certificate must not rest on them alone:
 * each rule of {@link KubeletServingRule}, with the reason a user sees on the CSR.
 */
class KubeletServingAddressTest {
    static final Duration SETTLE = Duration.ofMinutes(5);

    final ApprovalPolicyTest.Rbac rbac = new ApprovalPolicyTest.Rbac();
    final ApprovalPolicyTest.Nodes nodes = new ApprovalPolicyTest.Nodes();

    KubeletServingAddressTest() {
        // n1 registered an hour ago with its own addresses and, as a compromised node could, claims
        // names and IPs that are not its own; n2 is an honest neighbour.
        nodes.add("n1", NOW.minus(Duration.ofHours(1)), "InternalIP=10.0.0.1", "Hostname=n1",
                "InternalDNS=n1.nodes.example", "ExternalIP=203.0.113.7", "InternalIP=fd00::1",
                "Hostname=10.0.0.3", "InternalIP=10.0.0.2", "InternalDNS=n2.nodes.example",
                "InternalDNS=kubernetes.default.svc", "InternalDNS=kubernetes.default.svc.cluster.local",
                "InternalDNS=*.nodes.example", "InternalDNS=10.0.0.1", "InternalIP=127.0.0.1",
                "InternalIP=169.254.10.10", "InternalIP=0.0.0.0", "InternalIP=224.0.0.5", "InternalIP=::1",
                "InternalIP=10.96.0.1", "InternalIP=fd00:96::a", "InternalDNS=web.default.svc.cluster.local",
                "InternalDNS=localhost", "InternalIP=192.168.9.9", "ExternalDNS=outside.example.org",
                "ExternalDNS=api.nodes.example", "ExternalDNS=web.ingress.nodes.example", "ExternalIP=10.0.250.10");
        nodes.add("n2", NOW.minus(Duration.ofHours(2)), "InternalIP=10.0.0.2", "Hostname=n2",
                "InternalDNS=n2.nodes.example");
        nodes.added("n1", "InternalIP=10.0.0.9", NOW.minus(Duration.ofMinutes(1)));
        nodes.added("n1", "InternalIP=10.0.0.8", NOW.minus(Duration.ofMinutes(6)));
    }

    static PolicySettings.KubeletServing bounded() {
        return new PolicySettings.KubeletServing(true, true, Optional.of(Pattern.compile("[a-z0-9.*-]+")),
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("203.0.113.0/24"), Cidr.parse("fd00::/8"),
                        Cidr.parse("127.0.0.0/8"), Cidr.parse("169.254.0.0/16"), Cidr.parse("0.0.0.0/0"),
                        Cidr.parse("::/0")), Optional.empty(), Optional.empty(), false, SETTLE);
    }

    static PolicySettings.KubeletServing tight() {
        return new PolicySettings.KubeletServing(true, true, Optional.of(Pattern.compile("[a-z0-9-]+(\\.nodes\\.example)?")),
                List.of(Cidr.parse("10.0.0.0/16")), Optional.empty(), Optional.empty(), false, SETTLE);
    }

    static PolicySettings.KubeletServing unbounded(boolean trust) {
        return new PolicySettings.KubeletServing(true, true, Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), trust, SETTLE);
    }

    static PolicySettings.KubeletServing dnsOnly() {
        return new PolicySettings.KubeletServing(true, true, Optional.of(Pattern.compile("[a-z0-9.-]+")), List.of(),
                Optional.empty(), Optional.empty(), false, SETTLE);
    }

    record Case(String name, PolicySettings.KubeletServing settings, TestCsrs csr, DecisionOutcome outcome,
                String reason, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                new Case("its own name and IP of the matching types", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("n1", "n1.nodes.example").ipAddresses("10.0.0.1", "fd00::1",
                                "203.0.113.7"), DecisionOutcome.APPROVED, "AutoApproved", null),
                new Case("an IP it lists only as a Hostname", bounded(), TestCsrs.kubelet("n1").ipAddresses("10.0.0.3"),
                        DecisionOutcome.DENIED, "SANNotANodeAddress",
                        "IP:10.0.0.3 (not an InternalIP or ExternalIP of Node n1)"),
                new Case("a name it does not list", bounded(), TestCsrs.kubelet("n1").dnsNames("n9.nodes.example"),
                        DecisionOutcome.DENIED, "SANNotANodeAddress",
                        "DNS:n9.nodes.example (not a Hostname, InternalDNS or ExternalDNS of Node n1)"),
                new Case("a wildcard", bounded(), TestCsrs.kubelet("n1").dnsNames("*.nodes.example"),
                        DecisionOutcome.DENIED, "SANReserved", "DNS:*.nodes.example (a wildcard)"),
                new Case("an IP literal as a DNS name", bounded(), TestCsrs.kubelet("n1").dnsNames("10.0.0.1"),
                        DecisionOutcome.DENIED, "SANReserved", "(an IP address written as a DNS name)"),
                new Case("an IP literal with a trailing dot as a DNS name", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("10.0.0.1."), DecisionOutcome.DENIED, "SANReserved",
                        "DNS:10.0.0.1. (an IP address written as a DNS name)"),
                new Case("an IPv6 literal with a trailing dot as a DNS name", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("fd00::1."), DecisionOutcome.DENIED, "SANReserved",
                        "DNS:fd00::1. (an IP address written as a DNS name)"),
                new Case("kubernetes.default.svc", bounded(), TestCsrs.kubelet("n1").dnsNames("kubernetes.default.svc"),
                        DecisionOutcome.DENIED, "SANReserved", "(a name of the API server)"),
                new Case("kubernetes.default.svc.cluster.local", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("kubernetes.default.svc.cluster.local"),
                        DecisionOutcome.DENIED, "SANReserved", "(a name of the API server)"),
                new Case("a Service's name", bounded(), TestCsrs.kubelet("n1").dnsNames("web.default.svc.cluster.local"),
                        DecisionOutcome.DENIED, "SANReserved", "(a Service or Pod name of the cluster domain cluster.local)"),
                new Case("localhost", bounded(), TestCsrs.kubelet("n1").dnsNames("localhost"),
                        DecisionOutcome.DENIED, "SANReserved", "(a loopback name)"),
                new Case("127.0.0.1", bounded(), TestCsrs.kubelet("n1").ipAddresses("127.0.0.1"),
                        DecisionOutcome.DENIED, "SANReserved", "IP:127.0.0.1 (a loopback address)"),
                new Case("::1", bounded(), TestCsrs.kubelet("n1").ipAddresses("::1"),
                        DecisionOutcome.DENIED, "SANReserved", "(a loopback address)"),
                new Case("link-local", bounded(), TestCsrs.kubelet("n1").ipAddresses("169.254.10.10"),
                        DecisionOutcome.DENIED, "SANReserved", "(a link-local address)"),
                new Case("unspecified", bounded(), TestCsrs.kubelet("n1").ipAddresses("0.0.0.0"),
                        DecisionOutcome.DENIED, "SANReserved", "(the unspecified address)"),
                new Case("multicast", bounded(), TestCsrs.kubelet("n1").ipAddresses("224.0.0.5"),
                        DecisionOutcome.DENIED, "SANReserved", "(a multicast address)"),
                new Case("the API service IP", bounded(), TestCsrs.kubelet("n1").ipAddresses("10.96.0.1"),
                        DecisionOutcome.DENIED, "SANReserved", "IP:10.96.0.1 (inside the Service CIDR 10.96.0.0/12)"),
                new Case("an IPv6 Service IP", bounded(), TestCsrs.kubelet("n1").ipAddresses("fd00:96::a"),
                        DecisionOutcome.DENIED, "SANReserved", "(inside the Service CIDR fd00:96::/108)"),
                new Case("the API server's external name, reserved by the operator", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("api.nodes.example"), DecisionOutcome.DENIED, "SANReserved",
                        "(reserved by csrflow.approver.cluster.reserved-names (api.nodes.example))"),
                new Case("a name under a reserved suffix", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("web.ingress.nodes.example"), DecisionOutcome.DENIED,
                        "SANReserved", "(reserved by csrflow.approver.cluster.reserved-names (.ingress.nodes.example))"),
                new Case("the API server's load-balancer address, reserved by the operator", bounded(),
                        TestCsrs.kubelet("n1").ipAddresses("10.0.250.10"), DecisionOutcome.DENIED, "SANReserved",
                        "(inside 10.0.250.0/24, reserved by csrflow.approver.cluster.reserved-ip-ranges)"),
                new Case("another node's IP that it also lists", bounded(), TestCsrs.kubelet("n1").ipAddresses("10.0.0.2"),
                        DecisionOutcome.DENIED, "SANOwnedByAnotherNode", "IP:10.0.0.2 (also listed by Node n2)"),
                new Case("another node's name that it also lists", bounded(),
                        TestCsrs.kubelet("n1").dnsNames("n2.nodes.example"), DecisionOutcome.DENIED,
                        "SANOwnedByAnotherNode", "DNS:n2.nodes.example (also listed by Node n2)"),
                new Case("an address added a minute ago", bounded(), TestCsrs.kubelet("n1").ipAddresses("10.0.0.1", "10.0.0.9"),
                        DecisionOutcome.NO_OPINION, "SANAddressTooNew", "IP:10.0.0.9 (added to Node n1 after it registered"),
                new Case("an address added six minutes ago, past the settle time", bounded(),
                        TestCsrs.kubelet("n1").ipAddresses("10.0.0.8"), DecisionOutcome.APPROVED, "AutoApproved", null),
                new Case("outside the operator's IP ranges", tight(), TestCsrs.kubelet("n1").ipAddresses("192.168.9.9"),
                        DecisionOutcome.DENIED, "OutsideServingPolicy", "IP:192.168.9.9 (outside the allowed IP ranges [10.0.0.0/16])"),
                new Case("outside the operator's DNS pattern", tight(),
                        TestCsrs.kubelet("n1").dnsNames("outside.example.org"), DecisionOutcome.DENIED,
                        "OutsideServingPolicy", "DNS:outside.example.org (does not match the DNS name pattern"),
                new Case("no bounds and no trust: left to an administrator", unbounded(false),
                        TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.0.1"), DecisionOutcome.NO_OPINION,
                        "ServingAddressesUnbounded", "an administrator may approve it"),
                new Case("an IP SAN when only names are bounded", dnsOnly(),
                        TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.0.1"), DecisionOutcome.NO_OPINION,
                        "ServingAddressesUnbounded", "IP:10.0.0.1 (no csrflow.approver.kubelet-serving.ip-ranges"),
                new Case("trusting node-reported addresses: its own are approved without bounds", unbounded(true),
                        TestCsrs.kubelet("n1").dnsNames("n1", "outside.example.org").ipAddresses("192.168.9.9"),
                        DecisionOutcome.APPROVED, "AutoApproved", null),
                new Case("trusting node-reported addresses: reserved ones still never", unbounded(true),
                        TestCsrs.kubelet("n1").dnsNames("kubernetes.default.svc"), DecisionOutcome.DENIED,
                        "SANReserved", null),
                new Case("trusting node-reported addresses: another node's still never", unbounded(true),
                        TestCsrs.kubelet("n1").ipAddresses("10.0.0.2"), DecisionOutcome.DENIED,
                        "SANOwnedByAnotherNode", null),
                new Case("trusting node-reported addresses: a new one still waits", unbounded(true),
                        TestCsrs.kubelet("n1").ipAddresses("10.0.0.9"), DecisionOutcome.NO_OPINION,
                        "SANAddressTooNew", null))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decidesByTheNodesAddressesAndNeverOnItsWordAlone(Case c) {
        Decision decision = policy(c.settings()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, c.csr().pem()));
        assertEquals(c.outcome(), decision.outcome(), decision.toString());
        assertEquals(c.reason(), decision.reason(), decision.toString());
        if (c.messagePart() != null) {
            assertTrue(decision.message().contains(c.messagePart()), decision.message());
        }
        assertEquals(c.reason().equals("SANAddressTooNew"), decision.retry(), decision.toString());
    }

    @Test
    void anAddressAnotherNodeGaveUpMustSettleAgainForANodeThatListedItAllAlong() {
        // n1 listed 10.0.0.77 for an hour beside its owner n7; n7 is deleted a minute ago.
        nodes.added("n1", "InternalIP=10.0.0.77", NOW.minus(Duration.ofHours(1)));
        nodes.released.put("10.0.0.77", NOW.minus(Duration.ofMinutes(1)));
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").ipAddresses("10.0.0.77").pem()));
        assertEquals("SANAddressTooNew", decision.reason(), decision.toString());
        assertTrue(decision.message().contains("another Node listed it until"), decision.message());

        // A Node created after the release registers with the recycled address and waits for nothing.
        nodes.add("n8", NOW.minusSeconds(20), "InternalIP=10.0.0.78", "Hostname=n8");
        nodes.released.put("10.0.0.78", NOW.minus(Duration.ofMinutes(1)));
        Requester n8 = new Requester("system:node:n8", "u", List.of("system:nodes"), Map.of());
        assertEquals(DecisionOutcome.APPROVED, policy(bounded()).evaluate(ApprovalPolicyTest.csr(
                SignerNames.KUBELET_SERVING, SERVING, n8, TestCsrs.kubelet("n8").ipAddresses("10.0.0.78").pem()))
                .outcome());
    }

    @Test
    void anotherNodesNameIsItsOwnEvenWhereItDoesNotListIt() {
        nodes.add("n9", NOW.minus(Duration.ofHours(3)), "InternalIP=10.0.0.90");
        nodes.added("n1", "Hostname=n9", NOW.minus(Duration.ofHours(1)));
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").dnsNames("n9").pem()));
        assertEquals("SANOwnedByAnotherNode", decision.reason(), decision.toString());
    }

    @Test
    void aNameAfterAnotherNodeIsThatNodesEvenUnderADomainNoOneLists() {
        // n9 lists no DNS name at all; n1 claims n9's name under the fleet's domain, which the tight
        // pattern allows.
        nodes.add("n9", NOW.minus(Duration.ofHours(3)), "Hostname=n9", "InternalIP=10.0.0.90");
        nodes.added("n1", "InternalDNS=n9.nodes.example", NOW.minus(Duration.ofHours(1)));
        Decision decision = policy(tight()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").dnsNames("n9.nodes.example").pem()));
        assertEquals(DecisionOutcome.DENIED, decision.outcome(), decision.toString());
        assertEquals("SANOwnedByAnotherNode", decision.reason(), decision.toString());
        assertEquals("SAN DNS:n9.nodes.example (also named after Node n9)", decision.message());

        // Its own name under the same domain is its own.
        assertEquals(DecisionOutcome.APPROVED, policy(tight()).evaluate(ApprovalPolicyTest.csr(
                SignerNames.KUBELET_SERVING, SERVING, NODE_1, TestCsrs.kubelet("n1").dnsNames("n1.nodes.example")
                        .pem())).outcome());
    }

    @Test
    void aServingRequestFromOutsideSystemNodesIsNotANodesRequest() {
        // The username alone is no proof: only the API server's authenticators put a node in system:nodes.
        Requester notANode = new Requester("system:node:n1", "u", List.of("system:authenticated"), Map.of());
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                notANode, TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.0.1").pem()));
        assertEquals(DecisionOutcome.DENIED, decision.outcome(), decision.toString());
        assertEquals("InvalidServingRequest", decision.reason(), decision.toString());
        assertEquals("not a valid kubelet serving CSR: requester-in-system-nodes: spec.groups [system:authenticated] "
                + "do not include system:nodes, so the requester did not authenticate as a node", decision.message());
    }

    @Test
    void nothingIsApprovedBeforeTheNodeCacheHasReadEveryNode() {
        nodes.synced = false;
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").dnsNames("n1").pem()));
        assertEquals(DecisionOutcome.NO_OPINION, decision.outcome());
        assertEquals("NodeCacheNotSynced", decision.reason());
        assertTrue(decision.retry());
        assertEquals("the Node cache has not read every Node yet, so ownership of the SANs cannot be told; will ask "
                + "again", decision.message());
    }

    @Test
    void aNodeCacheThatStoppedForGoodSaysSo() {
        nodes.stopped = true;
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").dnsNames("n1").pem()));
        assertEquals(DecisionOutcome.NO_OPINION, decision.outcome());
        assertEquals("NodeCacheNotSynced", decision.reason());
        assertTrue(decision.retry());
        assertEquals("the Node cache stopped following Nodes (the approver's log says why) and lists them afresh "
                + "shortly, so ownership of the SANs cannot be told; will ask again", decision.message());
    }

    @Test
    void aNewNodesFirstServingCertificateIsNotDelayed() {
        nodes.add("fresh", NOW.minusSeconds(30), "InternalIP=10.0.0.30", "Hostname=fresh");
        Requester fresh = new Requester("system:node:fresh", "u", List.of("system:nodes"), Map.of());
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                fresh, TestCsrs.kubelet("fresh").dnsNames("fresh").ipAddresses("10.0.0.30").pem()));
        assertEquals(DecisionOutcome.APPROVED, decision.outcome(), decision.toString());
    }

    @Test
    void everyFaultySanIsNamedNotOnlyTheFirst() {
        Decision decision = policy(bounded()).evaluate(ApprovalPolicyTest.csr(SignerNames.KUBELET_SERVING, SERVING,
                NODE_1, TestCsrs.kubelet("n1").dnsNames("kubernetes.default.svc").ipAddresses("127.0.0.1", "10.96.0.1")
                        .pem()));
        assertEquals("SAN DNS:kubernetes.default.svc (a name of the API server), IP:127.0.0.1 (a loopback address), "
                + "IP:10.96.0.1 (inside the Service CIDR 10.96.0.0/12) may never be certified for a node",
                decision.message());
    }

    private ApprovalPolicy policy(PolicySettings.KubeletServing serving) {
        return new ApprovalPolicy(ApprovalPolicyTest.settings(serving, false), CsrVerifier.defaults(), rbac, nodes,
                new Workloads(), ApprovalPolicyTest.CLOCK);
    }
}
