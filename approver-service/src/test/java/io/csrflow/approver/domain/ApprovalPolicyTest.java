package io.csrflow.approver.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.events.CsrCondition;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.Requester;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.SignerNames;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCsrs;

class ApprovalPolicyTest {
    static final List<String> CLIENT = List.of("digital signature", "client auth");
    static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
    static final Requester BOOTSTRAP = new Requester("system:bootstrap:abc", "u1",
            List.of("system:bootstrappers", "system:authenticated"), Map.of());
    static final Requester NODE_1 = new Requester("system:node:n1", "u2", List.of("system:nodes",
            "system:authenticated"), Map.of());
    static final Requester JANE = new Requester("jane", "u3", List.of("developers", "system:authenticated"), Map.of());

    @TempDir
    static Path dir;

    /** Who may create which subresource, as the emulator's default (kubeadm) rules say. */
    static final class Rbac implements AccessReview {
        final Set<String> allowed = new HashSet<>(Set.of("system:bootstrappers/nodeclient",
                "system:nodes/selfnodeclient"));
        final List<String> asked = new java.util.ArrayList<>();
        boolean down;

        @Override
        public boolean mayCreate(Requester requester, String subresource) {
            asked.add(subresource);
            if (down) {
                throw new TransientFailure("API unavailable", null);
            }
            return requester.groups().stream().anyMatch(g -> allowed.contains(g + "/" + subresource));
        }
    }

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** Nodes as the informer cache would show them, every address first seen when its Node registered. */
    static final class Nodes implements NodeDirectory {
        final Map<String, NodeDirectory.KnownNode> nodes = new HashMap<>();
        final Map<String, Instant> released = new HashMap<>();
        boolean synced = true;
        boolean stopped;

        Nodes() {
            add("n1", NOW.minus(Duration.ofHours(1)), "InternalIP=10.0.0.1", "Hostname=n1",
                    "InternalDNS=n1.cluster.local", "InternalIP=fd00:0:0::1");
        }

        /** A Node created at {@code created} listing {@code TYPE=address} entries, each first seen then. */
        void add(String name, Instant created, String... addresses) {
            List<NodeDirectory.KnownAddress> known = new java.util.ArrayList<>();
            for (String entry : addresses) {
                known.add(new NodeDirectory.KnownAddress(entry.substring(0, entry.indexOf('=')),
                        entry.substring(entry.indexOf('=') + 1), created));
            }
            nodes.put(name, new NodeDirectory.KnownNode(name, created, known));
        }

        /** The Node lists one more address, first seen at {@code seen}. */
        void added(String name, String entry, Instant seen) {
            NodeDirectory.KnownNode node = nodes.get(name);
            List<NodeDirectory.KnownAddress> known = new java.util.ArrayList<>(node.addresses());
            known.add(new NodeDirectory.KnownAddress(entry.substring(0, entry.indexOf('=')),
                    entry.substring(entry.indexOf('=') + 1), seen));
            nodes.put(name, new NodeDirectory.KnownNode(name, node.created(), known));
        }

        @Override
        public Optional<NodeDirectory.KnownNode> node(String name) {
            return Optional.ofNullable(nodes.get(name));
        }

        @Override
        public Set<String> nodesListing(String address) {
            String wanted = NodeAddressForms.canonical(address);
            Set<String> names = new java.util.TreeSet<>();
            nodes.values().forEach(n -> {
                if (n.name().equals(wanted) || n.addresses().stream()
                        .anyMatch(a -> NodeAddressForms.canonical(a.address()).equals(wanted))) {
                    names.add(n.name());
                }
            });
            return names;
        }

        @Override
        public Set<String> nodesNamedAfter(String dnsName) {
            Optional<String> label = NodeAddressForms.firstLabel(dnsName);
            Set<String> names = new java.util.TreeSet<>();
            nodes.values().forEach(n -> {
                if (label.isPresent() && NodeAddressForms.firstLabel(n.name()).equals(label)) {
                    names.add(n.name());
                }
            });
            return names;
        }

        @Override
        public Optional<Instant> lastReleased(String address) {
            return Optional.ofNullable(released.get(NodeAddressForms.canonical(address)));
        }

        @Override
        public boolean synced() {
            return synced && !stopped;
        }

        @Override
        public boolean stopped() {
            return stopped;
        }
    }

    static final PolicySettings.Cluster CLUSTER = new PolicySettings.Cluster("cluster.local",
            List.of(Cidr.parse("10.96.0.0/12"), Cidr.parse("fd00:96::/108")),
            List.of("api.nodes.example", ".ingress.nodes.example"), List.of(Cidr.parse("10.0.250.0/24")));

    static final String WORKLOAD_SIGNER = "csrflow.io/workload-serving";
    static final PolicySettings.Workload WORKLOAD = new PolicySettings.Workload(true, Set.of(WORKLOAD_SIGNER),
            Set.of("endpointslice-controller.k8s.io"), true);

    static PolicySettings settings(PolicySettings.KubeletServing serving, boolean denyUnauthorizedClients) {
        return new PolicySettings(Set.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
                SignerNames.APISERVER_CLIENT, "example.com/custom"), CLUSTER,
                new PolicySettings.KubeletClient(true, denyUnauthorizedClients), serving,
                new PolicySettings.ApiserverClient(true, List.of(new PolicySettings.SubjectRule("developers-self",
                        Set.of(), Set.of("developers"), Pattern.compile("jane|joe"), Set.of("developers")))),
                WORKLOAD);
    }

    /** Bounded as `./csrflow up` bounds its fleet: names of the fleet's domain, IPs of its ranges. */
    static PolicySettings.KubeletServing serving() {
        return new PolicySettings.KubeletServing(true, true, Optional.of(Pattern.compile("(?i)[a-z0-9-]+(\\.cluster\\.local)?")),
                List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("fd00::/16")), Optional.empty(), Optional.empty(), false,
                Duration.ofMinutes(5));
    }

    final Rbac rbac = new Rbac();
    final Nodes nodes = new Nodes();
    final Workloads workloads = new Workloads();

    ApprovalPolicy policy(PolicySettings settings) {
        return new ApprovalPolicy(settings, CsrVerifier.defaults(), rbac, nodes, workloads, CLOCK);
    }

    static CsrObserved csr(String signer, List<String> usages, Requester requester, String pem) {
        return csr(signer, usages, requester, pem, null, List.of());
    }

    static CsrObserved csr(String signer, List<String> usages, Requester requester, String pem, Integer expiration,
            List<CsrCondition> conditions) {
        return new CsrObserved("csr-1", "uid-1", "7", signer, pem, usages, expiration, requester, conditions, null,
                CsrPhase.of(conditions, null), Instant.EPOCH, Instant.EPOCH);
    }

    record Case(String name, CsrObserved csr, DecisionOutcome outcome, String rule, String reason, boolean retry) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        String kc = SignerNames.KUBELET_CLIENT;
        String ks = SignerNames.KUBELET_SERVING;
        String ac = SignerNames.APISERVER_CLIENT;
        TestCsrs servingN1 = TestCsrs.kubelet("n1").dnsNames("n1", "N1.cluster.local").ipAddresses("10.0.0.1", "fd00::1");
        return Stream.of(
                new Case("other signer: not ours", csr("example.com/other", CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem()),
                        DecisionOutcome.NO_OPINION, "not-ours", "NotOurs", false),
                new Case("already approved: not ours", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem(), null,
                        List.of(new CsrCondition("Approved", "True", "x", "y", null, null))),
                        DecisionOutcome.NO_OPINION, "not-ours", "NotOurs", false),
                new Case("not PEM", csr(kc, CLIENT, BOOTSTRAP, "garbage"), DecisionOutcome.DENIED,
                        "request-integrity", "RequestNotPEM", false),
                new Case("no proof of possession", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").signedByAnotherKey().pem()),
                        DecisionOutcome.DENIED, "request-integrity", "RequestSignatureInvalid", false),
                new Case("RSA 1024", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").rsa(1024).pem()),
                        DecisionOutcome.DENIED, "request-integrity", "WeakKey", false),
                new Case("RSA exponent 3", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").rsa(2048, BigInteger.valueOf(3)).pem()),
                        DecisionOutcome.DENIED, "request-integrity", "WeakKey", false),
                new Case("P-521", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").ec("secp521r1").pem()),
                        DecisionOutcome.DENIED, "request-integrity", "WeakKey", false),
                new Case("bootstrap client: nodeclient allows", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem()),
                        DecisionOutcome.APPROVED, "kubelet-client", "AutoApproved", false),
                new Case("renewal: selfnodeclient allows", csr(kc, CLIENT, NODE_1, TestCsrs.kubelet("n1").pem()),
                        DecisionOutcome.APPROVED, "kubelet-client", "AutoApproved", false),
                new Case("renewal for another node: not allowed, retried", csr(kc, CLIENT, NODE_1,
                        TestCsrs.kubelet("n2").pem()), DecisionOutcome.NO_OPINION, "kubelet-client", "NotAuthorized", true),
                new Case("developer asks for a kubelet client cert", csr(kc, CLIENT, JANE, TestCsrs.kubelet("n1").pem()),
                        DecisionOutcome.NO_OPINION, "kubelet-client", "NotAuthorized", true),
                new Case("client CSR with a SAN: not recognised", csr(kc, CLIENT, BOOTSTRAP,
                        TestCsrs.kubelet("n1").dnsNames("n1").pem()), DecisionOutcome.NO_OPINION, "kubelet-client",
                        "NotRecognized", false),
                new Case("serving: every SAN is a node address", csr(ks, SERVING, NODE_1, servingN1.pem()),
                        DecisionOutcome.APPROVED, "kubelet-serving", "AutoApproved", false),
                new Case("serving: SAN of another host", csr(ks, SERVING, NODE_1,
                        TestCsrs.kubelet("n1").dnsNames("n1", "evil.cluster.local").pem()), DecisionOutcome.DENIED,
                        "kubelet-serving", "SANNotANodeAddress", false),
                new Case("serving: IP that is not the node's", csr(ks, SERVING, NODE_1,
                        TestCsrs.kubelet("n1").ipAddresses("10.0.0.2").pem()), DecisionOutcome.DENIED,
                        "kubelet-serving", "SANNotANodeAddress", false),
                new Case("serving: node not registered yet", csr(ks, SERVING, new Requester("system:node:n9", "u",
                        List.of("system:nodes"), Map.of()), TestCsrs.kubelet("n9").dnsNames("n9").pem()),
                        DecisionOutcome.NO_OPINION, "kubelet-serving", "NodeNotFound", true),
                new Case("serving: another node's name", csr(ks, SERVING, NODE_1, TestCsrs.kubelet("n2").dnsNames("n1").pem()),
                        DecisionOutcome.DENIED, "kubelet-serving", "InvalidServingRequest", false),
                new Case("serving: no SAN", csr(ks, SERVING, NODE_1, TestCsrs.kubelet("n1").pem()),
                        DecisionOutcome.DENIED, "kubelet-serving", "InvalidServingRequest", false),
                new Case("apiserver client: system:masters", csr(ac, CLIENT, JANE, TestCsrs.subject("jane", "system:masters").pem()),
                        DecisionOutcome.DENIED, "request-integrity", "SystemMastersForbidden", false),
                new Case("apiserver client: the UID attribute in the subject", csr(ac, CLIENT, JANE,
                        TestCsrs.subject("jane", "developers").rawSubjectAttribute(new org.bouncycastle.asn1
                                .ASN1ObjectIdentifier("1.3.6.1.4.1.57683.2"), new org.bouncycastle.asn1
                                .DERUTF8String("admin-uid")).pem()), DecisionOutcome.DENIED, "request-integrity",
                        "SubjectAttributeNotAllowed", false),
                new Case("kubelet client: an organizational unit in the subject", csr(kc, CLIENT, BOOTSTRAP,
                        TestCsrs.kubelet("n1").rawSubjectAttribute(org.bouncycastle.asn1.x500.style.BCStyle.OU,
                                new org.bouncycastle.asn1.DERUTF8String("ops")).pem()), DecisionOutcome.DENIED,
                        "request-integrity", "SubjectAttributeNotAllowed", false),
                new Case("apiserver client: an otherName SAN", csr(ac, CLIENT, JANE, TestCsrs.subject("jane", "developers")
                        .san(new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.otherName,
                                new org.bouncycastle.asn1.x509.OtherName(new org.bouncycastle.asn1.ASN1ObjectIdentifier(
                                        "1.3.6.1.4.1.311.20.2.3"), new org.bouncycastle.asn1.DERUTF8String("a@corp"))))
                        .pem()), DecisionOutcome.DENIED, "request-integrity", "SANTypeNotAllowed", false),
                new Case("apiserver client: a directoryName SAN", csr(ac, CLIENT, JANE, TestCsrs.subject("jane", "developers")
                        .san(new org.bouncycastle.asn1.x509.GeneralName(new org.bouncycastle.asn1.x500.X500Name(
                                "CN=admin,O=system:masters"))).pem()), DecisionOutcome.DENIED, "request-integrity",
                        "SANTypeNotAllowed", false),
                new Case("expirationSeconds 0, which the API refuses", csr(kc, CLIENT, BOOTSTRAP,
                        TestCsrs.kubelet("n1").pem(), 0, List.of()), DecisionOutcome.DENIED, "request-integrity",
                        "InvalidExpirationSeconds", false),
                new Case("expirationSeconds 599", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem(), 599, List.of()),
                        DecisionOutcome.DENIED, "request-integrity", "InvalidExpirationSeconds", false),
                new Case("expirationSeconds 600", csr(kc, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem(), 600, List.of()),
                        DecisionOutcome.APPROVED, "kubelet-client", "AutoApproved", false),
                new Case("apiserver client: rule allows", csr(ac, CLIENT, JANE, TestCsrs.subject("jane", "developers").pem()),
                        DecisionOutcome.APPROVED, "kube-apiserver-client", "AutoApproved", false),
                // A subject the rule allows, with a SAN it does not speak of: left to an administrator.
                new Case("apiserver client: rule allows the subject, not its SAN", csr(ac, CLIENT, JANE,
                        TestCsrs.subject("jane", "developers").uris("spiffe://cluster.local/ns/kube-system/sa/admin")
                                .pem()), DecisionOutcome.NO_OPINION, "kube-apiserver-client", "NoRuleAllows", false),
                new Case("apiserver client: subject no rule allows", csr(ac, CLIENT, JANE, TestCsrs.subject("admin", "developers").pem()),
                        DecisionOutcome.NO_OPINION, "kube-apiserver-client", "NoRuleAllows", false),
                new Case("apiserver client: server auth", csr(ac, List.of("client auth", "server auth"), JANE,
                        TestCsrs.subject("jane", "developers").pem()), DecisionOutcome.DENIED, "kube-apiserver-client",
                        "InvalidUsages", false),
                new Case("handled signer without a rule", csr("example.com/custom", CLIENT, JANE, TestCsrs.subject("x").pem()),
                        DecisionOutcome.NO_OPINION, "no-rule", "NoRuleMatched", false))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decidesAsTheRuleTableSays(Case c) {
        Decision decision = policy(settings(serving(), false)).evaluate(c.csr());
        assertEquals(c.outcome(), decision.outcome(), decision.toString());
        assertEquals(c.rule(), decision.rule(), decision.toString());
        assertEquals(c.reason(), decision.reason(), decision.toString());
        assertEquals(c.retry(), decision.retry());
        assertFalse(decision.checks().isEmpty());
        if (c.outcome() == DecisionOutcome.DENIED) {
            assertTrue(decision.checks().stream().anyMatch(check -> !check.passed()), decision.checks().toString());
        }
    }

    @Test
    void renewalIsTriedBeforeBootstrapAndMessagesAreKubeControllerManagers() {
        Decision self = policy(settings(serving(), false)).evaluate(csr(SignerNames.KUBELET_CLIENT, CLIENT, NODE_1,
                TestCsrs.kubelet("n1").pem()));
        assertEquals(List.of("selfnodeclient"), rbac.asked);
        assertEquals("Auto approving self kubelet client certificate after SubjectAccessReview.", self.message());

        rbac.asked.clear();
        Decision bootstrap = policy(settings(serving(), false)).evaluate(csr(SignerNames.KUBELET_CLIENT, CLIENT,
                BOOTSTRAP, TestCsrs.kubelet("n1").pem()));
        assertEquals(List.of("nodeclient"), rbac.asked);
        assertEquals("Auto approving kubelet client certificate after SubjectAccessReview.", bootstrap.message());
    }

    @Test
    void unauthorizedClientIsDeniedWhenConfiguredTo() {
        Decision decision = policy(settings(serving(), true)).evaluate(csr(SignerNames.KUBELET_CLIENT, CLIENT, JANE,
                TestCsrs.kubelet("n1").pem()));
        assertEquals(DecisionOutcome.DENIED, decision.outcome());
        assertEquals("NotAuthorized", decision.reason());
    }

    @Test
    void deniedSanIsNamedInTheMessage() {
        Decision decision = policy(settings(serving(), false)).evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1,
                TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.9.9").pem()));
        assertEquals("SANNotANodeAddress", decision.reason());
        assertEquals("SAN IP:10.0.9.9 (not an InternalIP or ExternalIP of Node n1)", decision.message());
    }

    @Test
    void servingBoundsApplyWhenConfigured() {
        PolicySettings.KubeletServing strict = new PolicySettings.KubeletServing(true, true,
                Optional.of(Pattern.compile("[a-z0-9-]+(\\.cluster\\.local)?")), List.of(Cidr.parse("10.0.0.0/24"),
                        Cidr.parse("fd00::/16")), Optional.of(3), Optional.of(Duration.ofDays(30)), false, Duration.ofMinutes(5));
        ApprovalPolicy policy = policy(settings(strict, false));
        String ok = TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.0.1").pem();
        assertEquals(DecisionOutcome.APPROVED, policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, ok,
                86400, List.of())).outcome());
        Decision noExpiration = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, ok, null, List.of()));
        assertEquals("OutsideServingPolicy", noExpiration.reason());
        Decision tooMany = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, TestCsrs.kubelet("n1")
                .dnsNames("n1", "n1.cluster.local").ipAddresses("10.0.0.1", "fd00::1").pem(), 86400, List.of()));
        assertEquals("4 SANs requested; at most 3 are allowed", tooMany.message());
        nodes.add("n1", NOW.minus(Duration.ofHours(1)), "InternalIP=10.0.0.1", "InternalIP=10.1.0.1", "Hostname=n1");
        Decision outside = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, TestCsrs.kubelet("n1")
                .ipAddresses("10.1.0.1").pem(), 86400, List.of()));
        assertEquals("SAN IP:10.1.0.1 (outside the allowed IP ranges [10.0.0.0/24, fd00::/16])", outside.message());
    }

    @Test
    void csrsFromOpensslAndCfsslAreJudgedTheSame() {
        ApprovalPolicy policy = policy(settings(serving(), false));
        String openssl = Cli.opensslCsr(dir, "ec", "/O=system:nodes/CN=system:node:n1", "DNS:n1", "IP:10.0.0.1");
        assertEquals(DecisionOutcome.APPROVED, policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1,
                openssl)).outcome());
        String cfssl = Cli.cfsslCsr(dir, "system:node:n1", "system:nodes", "ecdsa", 256, "n1", "10.0.0.1");
        assertEquals(DecisionOutcome.APPROVED, policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1,
                cfssl)).outcome());
        String cfsslForeign = Cli.cfsslCsr(dir, "system:node:n1", "system:nodes", "rsa", 2048, "n1", "10.0.5.5");
        assertEquals("SANNotANodeAddress", policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1,
                cfsslForeign)).reason());
    }

    @Test
    void anUnansweredAccessReviewDecidesNothing() {
        rbac.down = true;
        assertThrows(TransientFailure.class, () -> policy(settings(serving(), false)).evaluate(
                csr(SignerNames.KUBELET_CLIENT, CLIENT, BOOTSTRAP, TestCsrs.kubelet("n1").pem())));
    }

    @Test
    void versionFollowsTheSettings() {
        assertEquals(policy(settings(serving(), false)).version(), policy(settings(serving(), false)).version());
        assertFalse(policy(settings(serving(), false)).version().equals(policy(settings(serving(), true)).version()));
    }
}
