package io.csrflow.approver.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.KeyPolicy;
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

    static final class Nodes implements NodeAddresses {
        final Map<String, List<String>> addresses = new HashMap<>(Map.of(
                "n1", List.of("10.0.0.1", "n1", "n1.cluster.local", "fd00:0:0::1")));

        @Override
        public Optional<List<String>> of(String nodeName) {
            return Optional.ofNullable(addresses.get(nodeName));
        }
    }

    static PolicySettings settings(PolicySettings.KubeletServing serving, boolean denyUnauthorizedClients) {
        return new PolicySettings(Set.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
                SignerNames.APISERVER_CLIENT, "example.com/custom"), CsrLimits.defaults(), KeyPolicy.defaults(),
                new PolicySettings.KubeletClient(true, denyUnauthorizedClients), serving,
                new PolicySettings.ApiserverClient(true, List.of(new PolicySettings.SubjectRule("developers-self",
                        Set.of(), Set.of("developers"), Pattern.compile("jane|joe"), Set.of("developers")))));
    }

    static PolicySettings.KubeletServing serving() {
        return new PolicySettings.KubeletServing(true, true, Optional.empty(), List.of(), Optional.empty(),
                Optional.empty());
    }

    final Rbac rbac = new Rbac();
    final Nodes nodes = new Nodes();

    ApprovalPolicy policy(PolicySettings settings) {
        return new ApprovalPolicy(settings, CsrParser.defaults(), rbac, nodes);
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
                        TestCsrs.kubelet("n1").dnsNames("n1", "evil.example").pem()), DecisionOutcome.DENIED,
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
                        DecisionOutcome.DENIED, "subject-safety", "SystemMastersForbidden", false),
                new Case("apiserver client: rule allows", csr(ac, CLIENT, JANE, TestCsrs.subject("jane", "developers").pem()),
                        DecisionOutcome.APPROVED, "kube-apiserver-client", "AutoApproved", false),
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
                TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.9.9.9").pem()));
        assertEquals("SAN IP:10.9.9.9 is not an address of Node n1", decision.message());
    }

    @Test
    void servingBoundsApplyWhenConfigured() {
        PolicySettings.KubeletServing strict = new PolicySettings.KubeletServing(true, true,
                Optional.of(Pattern.compile("[a-z0-9-]+(\\.cluster\\.local)?")), List.of(Cidr.parse("10.0.0.0/24")),
                Optional.of(3), Optional.of(Duration.ofDays(30)));
        ApprovalPolicy policy = policy(settings(strict, false));
        String ok = TestCsrs.kubelet("n1").dnsNames("n1").ipAddresses("10.0.0.1").pem();
        assertEquals(DecisionOutcome.APPROVED, policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, ok,
                86400, List.of())).outcome());
        Decision noExpiration = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, ok, null, List.of()));
        assertEquals("OutsideServingPolicy", noExpiration.reason());
        Decision tooMany = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, TestCsrs.kubelet("n1")
                .dnsNames("n1", "n1.cluster.local").ipAddresses("10.0.0.1", "fd00::1").pem(), 86400, List.of()));
        assertEquals("4 SANs requested; at most 3 are allowed", tooMany.message());
        nodes.addresses.put("n1", List.of("10.0.0.1", "10.1.0.1", "n1"));
        Decision outside = policy.evaluate(csr(SignerNames.KUBELET_SERVING, SERVING, NODE_1, TestCsrs.kubelet("n1")
                .ipAddresses("10.1.0.1").pem(), 86400, List.of()));
        assertTrue(outside.message().startsWith("IP SAN 10.1.0.1 is outside"), outside.message());
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
        String cfsslForeign = Cli.cfsslCsr(dir, "system:node:n1", "system:nodes", "rsa", 2048, "n1", "8.8.8.8");
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
