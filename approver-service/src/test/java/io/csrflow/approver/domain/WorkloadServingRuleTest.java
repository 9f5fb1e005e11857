package io.csrflow.approver.domain;

import static io.csrflow.approver.domain.ApprovalPolicyTest.WORKLOAD_SIGNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.Requester;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCsrs;

/**
 * A ServiceAccount gets a serving certificate only for the Services and Pods that are its own: each
 * entitlement of {@link WorkloadEntitlements} and each refusal, with the reason and message a user
 * sees on the CSR. The cluster is the Kubernetes documentation's example ("Manage TLS certificates in
 * a cluster"): Service my-svc and Pod my-pod in my-namespace, running as service account default.
 */
class WorkloadServingRuleTest {
    static final String NS = "my-namespace";
    static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
    static final Requester DEFAULT_SA = serviceAccount(NS, "default");
    static final Requester BOUND_TO_MY_POD = new Requester("system:serviceaccount:my-namespace:default", "u", List.of(
            "system:serviceaccounts", "system:serviceaccounts:my-namespace", "system:authenticated"), Map.of(
            "authentication.kubernetes.io/pod-name", List.of("my-pod"),
            "authentication.kubernetes.io/pod-uid", List.of("uid-my-pod")));

    @TempDir
    static Path dir;

    final Workloads workloads = new Workloads()
            .pod(NS, "my-pod", "default", "10.0.34.2", "fd00:10::2")
            .pod(NS, "my-pod-2", "default", "10.0.34.6")
            .pod(NS, "other-pod", "other", "10.0.34.9")
            .pod(NS, "10-0-34-3", "default", "10.0.34.4")
            .pod(NS, "0-0-0-0-0-ffff-a00-5", "default", "10.0.34.10")
            .pod(NS, "0--ffff-a00-5", "default", "10.0.34.11")
            .pod(NS, "starting", "default")
            .put(new WorkloadDirectory.WorkloadPod(NS, "web-0", "uid-web-0", "default", false, false,
                    List.of("10.0.34.5"), "web-0", "web"))
            .put(new WorkloadDirectory.WorkloadPod(NS, "done", "uid-done", "default", true, false,
                    List.of("10.0.34.7"), null, null))
            .put(new WorkloadDirectory.WorkloadPod(NS, "node-agent", "uid-node-agent", "default", false, true,
                    List.of("10.0.0.5"), "agent-0", "agents"))
            .pod("other-ns", "stale", "default", "10.0.34.8")
            .pod(NS, "shares-ip", "default", "10.0.34.8")
            .pod("other-ns", "their-pod", "default", "10.0.40.1")
            .service(NS, "my-svc", "10.96.0.24", "my-pod", "my-pod-2")
            .service(NS, "other-svc", "10.96.0.25", "other-pod")
            .service(NS, "mixed", "10.96.0.26", "my-pod", "other-pod")
            .service(NS, "web", null, "web-0")
            .service(NS, "empty", "10.96.0.27")
            .service(NS, "hand-made", "10.96.0.28")
            .endpoint(NS, "hand-made", "someone-else", "Pod", "my-pod")
            .service(NS, "external", "10.96.0.29")
            .endpoint(NS, "external", Workloads.CONTROLLER, "", "")
            .service(NS, "not-yet-read", "10.96.0.30", "unknown-pod")
            .service("other-ns", "my-svc", "10.96.0.50", "their-pod");

    static Requester serviceAccount(String namespace, String name) {
        return new Requester("system:serviceaccount:" + namespace + ":" + name, "u", List.of("system:serviceaccounts",
                "system:serviceaccounts:" + namespace, "system:authenticated"), Map.of());
    }

    record Case(String name, Requester requester, List<String> usages, TestCsrs csr, DecisionOutcome outcome,
                String reason, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case approved(String name, TestCsrs csr, String messagePart) {
        return new Case(name, DEFAULT_SA, SERVING, csr, DecisionOutcome.APPROVED, "AutoApproved", messagePart);
    }

    static Case denied(String name, TestCsrs csr, String reason, String messagePart) {
        return new Case(name, DEFAULT_SA, SERVING, csr, DecisionOutcome.DENIED, reason, messagePart);
    }

    static Case waits(String name, TestCsrs csr, String messagePart) {
        return new Case(name, DEFAULT_SA, SERVING, csr, DecisionOutcome.NO_OPINION, "WorkloadNotFoundYet", messagePart);
    }

    static TestCsrs cn(String commonName) {
        return TestCsrs.subject(commonName);
    }

    static TestCsrs dns(String... names) {
        return TestCsrs.subject(null).dnsNames(names);
    }

    static TestCsrs ip(String... ips) {
        return TestCsrs.subject(null).ipAddresses(ips);
    }

    static Stream<Arguments> entitlements() {
        return Stream.of(
                approved("the documentation's example", cn("my-pod.my-namespace.pod.cluster.local")
                        .dnsNames("my-svc.my-namespace.svc.cluster.local", "my-pod.my-namespace.pod.cluster.local")
                        .ipAddresses("10.96.0.24", "10.0.34.2"),
                        "Auto approving workload serving certificate for service account my-namespace/default: "
                        + "my-svc.my-namespace.svc.cluster.local: Service my-namespace/my-svc (pods of default); "
                        + "my-pod.my-namespace.pod.cluster.local: Pod my-namespace/my-pod; "
                        + "10.96.0.24: Service my-namespace/my-svc (pods of default); 10.0.34.2: Pod my-namespace/my-pod"),
                approved("a Service's short names", dns("my-svc", "my-svc.my-namespace", "my-svc.my-namespace.svc"),
                        "my-svc.my-namespace.svc: Service my-namespace/my-svc (pods of default)"),
                approved("a Service's name in upper case with a trailing dot", dns("MY-SVC.my-namespace.svc.cluster.local."),
                        "Service my-namespace/my-svc"),
                approved("a pod's IP in dashes", dns("10-0-34-2.my-namespace.pod.cluster.local"),
                        "10-0-34-2.my-namespace.pod.cluster.local: Pod my-namespace/my-pod"),
                approved("a pod's IPv6 address and its dashed form", dns("fd00-10--2.my-namespace.pod.cluster.local")
                        .ipAddresses("fd00:10::2"), "fd00:10:0:0:0:0:0:2: Pod my-namespace/my-pod"),
                approved("a pod's hostname under its subdomain", dns("web-0.web.my-namespace.svc.cluster.local"),
                        "web-0.web.my-namespace.svc.cluster.local: Pod my-namespace/web-0 (hostname web-0, subdomain web)"),
                approved("a headless Service's name", dns("web.my-namespace.svc.cluster.local"),
                        "Service my-namespace/web (pods of default)"),
                approved("no CN", ip("10.0.34.2"), "10.0.34.2: Pod my-namespace/my-pod"),
                approved("a CN that is an IP SAN", cn("10.0.34.2").ipAddresses("10.0.34.2"), "Pod my-namespace/my-pod"),
                new Case("a pod-bound token: its own pod", BOUND_TO_MY_POD, SERVING,
                        dns("my-pod.my-namespace.pod.cluster.local", "my-svc").ipAddresses("10.0.34.2"),
                        DecisionOutcome.APPROVED, "AutoApproved", "my-svc: Service my-namespace/my-svc"),
                new Case("digital signature and server auth only", DEFAULT_SA, List.of("digital signature", "server auth"),
                        dns("my-svc"), DecisionOutcome.APPROVED, "AutoApproved", "Service my-namespace/my-svc"))
                .map(Arguments::of);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                denied("another service account's Service", dns("other-svc.my-namespace.svc"), "SANNotEntitled",
                        "other-svc.my-namespace.svc selects pods of service account other, not default"),
                denied("a Service selecting mixed service accounts", dns("my-svc", "mixed.my-namespace.svc.cluster.local"),
                        "SANNotEntitled", "mixed.my-namespace.svc.cluster.local selects pods of service account other, "
                        + "not default"),
                denied("the cluster IP of a mixed Service", ip("10.96.0.26"), "SANNotEntitled",
                        "10.96.0.26 selects pods of service account other, not default"),
                denied("a Service of another namespace", dns("my-svc.other-ns.svc.cluster.local"), "SANNotEntitled",
                        "my-svc.other-ns.svc.cluster.local names namespace other-ns, not my-namespace"),
                denied("a short Service name of another namespace", dns("my-svc.other-ns"), "SANNotEntitled",
                        "my-svc.other-ns names namespace other-ns, not my-namespace"),
                denied("a pod name of another namespace", dns("their-pod.other-ns.pod.cluster.local"), "SANNotEntitled",
                        "names namespace other-ns, not my-namespace"),
                denied("the cluster IP of another namespace's Service", ip("10.96.0.50"), "SANNotEntitled",
                        "10.96.0.50 is the cluster IP of Service other-ns/my-svc of another namespace"),
                denied("a pod IP of another namespace", ip("10.0.40.1"), "SANNotEntitled",
                        "10.0.40.1 is also the IP of Pod other-ns/their-pod, which runs as service account default"),
                denied("another service account's pod IP", ip("10.0.34.9"), "SANNotEntitled",
                        "10.0.34.9 is also the IP of Pod my-namespace/other-pod, which runs as service account other, not default"),
                denied("another service account's pod name", dns("other-pod.my-namespace.pod.cluster.local"),
                        "SANNotEntitled", "is Pod my-namespace/other-pod, which runs as service account other, not default"),
                denied("an IP its pod shares with a pod of another namespace", ip("10.0.34.8"), "SANNotEntitled",
                        "10.0.34.8 is also the IP of Pod other-ns/stale"),
                denied("a pod name in IP-dashes form", dns("10-0-34-3.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "reads as IP 10.0.34.3, which Pod my-namespace/10-0-34-3 does not have"),
                denied("a pod name in the dashes form of an IPv4-mapped IPv6 address",
                        dns("0-0-0-0-0-ffff-a00-5.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "reads as IP 10.0.0.5, which Pod my-namespace/0-0-0-0-0-ffff-a00-5 does not have"),
                denied("a pod name in the short dashes form of an IPv4-mapped IPv6 address",
                        dns("0--ffff-a00-5.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "reads as IP 10.0.0.5, which Pod my-namespace/0--ffff-a00-5 does not have"),
                denied("a name that only looks like an IP, with an octet past 255", dns("1.2.3.256"), "SANNotEntitled",
                        "1.2.3.256 is not a name of a Service or Pod of namespace my-namespace"),
                new Case("a pod-bound token asking for another pod's IP", BOUND_TO_MY_POD, SERVING, ip("10.0.34.6"),
                        DecisionOutcome.DENIED, "SANNotEntitled", "10.0.34.6 is Pod my-namespace/my-pod-2, not Pod "
                        + "my-namespace/my-pod (uid uid-my-pod), the pod the requester's token is bound to"),
                new Case("a pod-bound token asking for another pod's name", BOUND_TO_MY_POD, SERVING,
                        dns("web-0.web.my-namespace.svc.cluster.local"), DecisionOutcome.DENIED, "SANNotEntitled",
                        "is Pod my-namespace/web-0, not Pod my-namespace/my-pod"),
                denied("a host-network pod's IP, which is its node's", ip("10.0.0.5"), "SANNotEntitled",
                        "10.0.0.5 is the node's IP, which host-network Pod my-namespace/node-agent shares"),
                denied("a host-network pod's name, which resolves to its node's IP",
                        dns("node-agent.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "node-agent.my-namespace.pod.cluster.local is host-network Pod my-namespace/node-agent, whose "
                                + "names are its node's"),
                denied("a host-network pod's hostname and subdomain", dns("agent-0.agents.my-namespace.svc.cluster.local"),
                        "SANNotEntitled", "is host-network Pod my-namespace/node-agent, whose names are its node's"),
                denied("a finished pod's name", dns("done.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "is Pod my-namespace/done, which has finished"),
                denied("a Service whose slice no trusted controller manages", dns("hand-made"), "SANNotEntitled",
                        "hand-made names Service my-namespace/hand-made, whose EndpointSlice hand-made-abcde is managed "
                        + "by someone-else, not by endpointslice-controller.k8s.io"),
                denied("a Service with an endpoint that is not a pod", dns("external"), "SANNotEntitled",
                        "has an endpoint that is not a Pod of my-namespace"),
                denied("a name outside the cluster", dns("my-svc", "www.example.com"), "SANNotEntitled",
                        "www.example.com is not a name of a Service or Pod of namespace my-namespace"),
                denied("a name under the cluster domain of no known form", dns("my-namespace.svc.cluster.local"),
                        "SANNotEntitled", "is not a name of a Service or Pod of namespace my-namespace"),
                denied("a loopback address in dashes", dns("127-0-0-1.my-namespace.pod.cluster.local"), "SANNotEntitled",
                        "reads as 127.0.0.1, a loopback address"),
                denied("a wildcard", dns("*.my-namespace.svc.cluster.local"), "SANReserved",
                        "*.my-namespace.svc.cluster.local is a wildcard"),
                denied("kubernetes", dns("kubernetes"), "SANReserved", "kubernetes is a name of the API server"),
                denied("kubernetes.default.svc", dns("kubernetes.default.svc"), "SANReserved", "a name of the API server"),
                denied("kubernetes.default.svc.cluster.local", dns("kubernetes.default.svc.cluster.local"), "SANReserved",
                        "a name of the API server"),
                denied("the API server's external name, reserved by the operator", dns("api.nodes.example"),
                        "SANReserved", "reserved by csrflow.approver.cluster.reserved-names"),
                denied("the Service CIDR's first address", ip("10.96.0.1"), "SANReserved",
                        "10.96.0.1 is the first address of the Service CIDR 10.96.0.0/12, the API server's Service"),
                denied("the IPv6 Service CIDR's first address", ip("fd00:96::1"), "SANReserved",
                        "the first address of the Service CIDR fd00:96::/108"),
                denied("loopback", ip("127.0.0.1"), "SANReserved", "127.0.0.1 is a loopback address"),
                denied("unspecified", ip("0.0.0.0"), "SANReserved", "the unspecified address"),
                denied("link-local", ip("169.254.169.254"), "SANReserved", "a link-local address"),
                denied("localhost", dns("localhost"), "SANReserved", "a loopback name"),
                denied("an IP written as a DNS name", dns("10.0.34.2"), "SANReserved", "an IP address written as a DNS name"),
                new Case("client auth", DEFAULT_SA, List.of("digital signature", "key encipherment", "server auth",
                        "client auth"), dns("my-svc"), DecisionOutcome.DENIED, "InvalidWorkloadRequest",
                        "usages [client auth] are not allowed for a workload serving certificate"),
                new Case("no server auth", DEFAULT_SA, List.of("digital signature", "key encipherment"), dns("my-svc"),
                        DecisionOutcome.DENIED, "InvalidWorkloadRequest", "lack server auth"),
                denied("an email SAN", dns("my-svc").emails("me@example.com"), "InvalidWorkloadRequest",
                        "SAN email me@example.com: only DNS and IP SANs are certified for a workload"),
                denied("a URI SAN", dns("my-svc").uris("spiffe://cluster.local/ns/my-namespace/sa/default"),
                        "InvalidWorkloadRequest", "only DNS and IP SANs"),
                denied("no SAN", cn("my-svc"), "InvalidWorkloadRequest", "no DNS or IP SAN"),
                denied("a CN that is none of the SANs", cn("other-svc.my-namespace.svc").dnsNames("my-svc"),
                        "InvalidWorkloadRequest", "CN other-svc.my-namespace.svc is not one of the SANs"),
                new Case("a malformed service account name", new Requester("system:serviceaccount:My_NS:default", "u",
                        List.of(), Map.of()), SERVING, dns("my-svc"), DecisionOutcome.DENIED, "InvalidWorkloadRequest",
                        "namespace \"My_NS\" of requester system:serviceaccount:My_NS:default is not a DNS label"),
                new Case("a person: left for an administrator", ApprovalPolicyTest.JANE, SERVING, dns("my-svc"),
                        DecisionOutcome.NO_OPINION, "NotAServiceAccount",
                        "left for an administrator: requester jane is not a service account"),
                new Case("a service account's name without its groups (a client certificate's user, say)",
                        new Requester("system:serviceaccount:my-namespace:default", "u", List.of("system:authenticated"),
                                Map.of()), SERVING, dns("my-svc"), DecisionOutcome.NO_OPINION, "NotAServiceAccount",
                        "left for an administrator: requester system:serviceaccount:my-namespace:default has a service "
                                + "account's name but not its groups [system:serviceaccounts, "
                                + "system:serviceaccounts:my-namespace]: not a ServiceAccount token"),
                new Case("a node: left for an administrator", ApprovalPolicyTest.NODE_1, SERVING, dns("my-svc"),
                        DecisionOutcome.NO_OPINION, "NotAServiceAccount", "requester system:node:n1 is not a service account"),
                waits("a Service that does not exist yet", dns("my-svc", "new-svc.my-namespace.svc"),
                        "new-svc.my-namespace.svc names Service my-namespace/new-svc, which does not exist yet; will ask again"),
                waits("a pod that does not exist yet", dns("ghost.my-namespace.pod.cluster.local"),
                        "names Pod my-namespace/ghost, which does not exist yet"),
                waits("an IP no pod has yet", ip("10.0.99.9"),
                        "10.0.99.9 is the IP of no running Pod of service account my-namespace/default yet"),
                waits("a cluster IP no Service has yet", ip("10.96.9.9"), "no Service has it as its cluster IP yet"),
                waits("a Service without endpoints yet", dns("empty"), "names Service my-namespace/empty, which has no endpoints yet"),
                waits("a Service whose endpoint pod is not read yet", dns("not-yet-read"),
                        "whose endpoint Pod unknown-pod is not known yet"),
                waits("a hostname no pod has yet", dns("web-1.web.my-namespace.svc.cluster.local"),
                        "names no running Pod of my-namespace with hostname web-1 and subdomain web yet"))
                .map(Arguments::of);
    }

    ApprovalPolicy policy() {
        return new ApprovalPolicy(ApprovalPolicyTest.settings(ApprovalPolicyTest.serving(), false),
                CsrVerifier.defaults(), new ApprovalPolicyTest.Rbac(), new ApprovalPolicyTest.Nodes(), workloads,
                ApprovalPolicyTest.CLOCK);
    }

    Decision decide(Requester requester, List<String> usages, String pem) {
        return policy().evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, usages, requester, pem));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"entitlements", "refusals"})
    void decidesAsTheWorkloadRuleSays(Case c) {
        Decision decision = decide(c.requester(), c.usages(), c.csr().pem());
        assertEquals(c.outcome(), decision.outcome(), decision.toString());
        assertEquals("workload-serving", decision.rule(), decision.toString());
        assertEquals(c.reason(), decision.reason(), decision.toString());
        assertTrue(decision.message().contains(c.messagePart()), decision.message());
        assertEquals(c.reason().equals("WorkloadNotFoundYet"), decision.retry());
        if (c.outcome() != DecisionOutcome.APPROVED) {
            assertTrue(decision.checks().stream().anyMatch(check -> !check.passed()), decision.checks().toString());
        }
    }

    @Test
    void everySanAtFaultIsNamedWhateverTheOthersAre() {
        Decision decision = decide(DEFAULT_SA, SERVING, dns("my-svc", "other-svc", "new-svc", "www.example.com").pem());
        assertEquals("SANNotEntitled", decision.reason());
        assertEquals("Denying workload serving certificate for service account my-namespace/default: other-svc "
                + "selects pods of service account other, not default; www.example.com is not a name of a Service or "
                + "Pod of namespace my-namespace", decision.message());
        assertTrue(decision.checks().stream().anyMatch(c -> c.name().equals("sans-entitled") && !c.passed()
                && c.detail().contains("new-svc names Service my-namespace/new-svc, which does not exist yet")));
    }

    @Test
    void aServiceThatAppearsLaterIsApprovedOnTheNextLook() {
        String pem = dns("late-svc.my-namespace.svc").pem();
        assertEquals("WorkloadNotFoundYet", decide(DEFAULT_SA, SERVING, pem).reason());
        workloads.service(NS, "late-svc", "10.96.0.31", "my-pod");
        assertEquals(DecisionOutcome.APPROVED, decide(DEFAULT_SA, SERVING, pem).outcome());
    }

    @Test
    void nothingIsJudgedBeforeTheCachesHaveReadEverything() {
        workloads.synced = false;
        Decision decision = decide(DEFAULT_SA, SERVING, dns("my-svc").pem());
        assertEquals(DecisionOutcome.NO_OPINION, decision.outcome());
        assertEquals("WorkloadCacheNotSynced", decision.reason());
        assertTrue(decision.retry());
        assertEquals("the Pod, Service and EndpointSlice caches have not read everything yet, so entitlement cannot "
                + "be told; will ask again", decision.message());
    }

    @Test
    void aCacheThatStoppedForGoodSaysSo() {
        workloads.stopped = true;
        Decision decision = decide(DEFAULT_SA, SERVING, dns("my-svc").pem());
        assertEquals("WorkloadCacheNotSynced", decision.reason());
        assertTrue(decision.retry());
        assertEquals("a Pod, Service or EndpointSlice cache stopped following the API (the approver's log says why) "
                + "and lists afresh shortly, so entitlement cannot be told; will ask again", decision.message());
    }

    @Test
    void otherSignersAreNotOursAndTheRuleCanBeSwitchedOff() {
        assertEquals("NotOurs", policy().evaluate(ApprovalPolicyTest.csr("example.com/serving", SERVING, DEFAULT_SA,
                dns("my-svc").pem())).reason());
        PolicySettings base = ApprovalPolicyTest.settings(ApprovalPolicyTest.serving(), false);
        PolicySettings off = new PolicySettings(base.signerNames(), base.cluster(), base.kubeletClient(),
                base.kubeletServing(), base.apiserverClient(), new PolicySettings.Workload(false,
                        base.workload().signerNames(), base.workload().endpointSliceManagers(), true));
        Decision decision = new ApprovalPolicy(off, CsrVerifier.defaults(), new ApprovalPolicyTest.Rbac(),
                new ApprovalPolicyTest.Nodes(), workloads, ApprovalPolicyTest.CLOCK)
                .evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, DEFAULT_SA, dns("my-svc").pem()));
        assertEquals("NotOurs", decision.reason());
    }

    @Test
    void withShortNamesOffOnlyTheNamespacedFormsOfAServiceAreCertified() {
        PolicySettings base = ApprovalPolicyTest.settings(ApprovalPolicyTest.serving(), false);
        PolicySettings strict = new PolicySettings(base.signerNames(), base.cluster(), base.kubeletClient(),
                base.kubeletServing(), base.apiserverClient(), new PolicySettings.Workload(true,
                        base.workload().signerNames(), base.workload().endpointSliceManagers(), false));
        ApprovalPolicy policy = new ApprovalPolicy(strict, CsrVerifier.defaults(), new ApprovalPolicyTest.Rbac(),
                new ApprovalPolicyTest.Nodes(), workloads, ApprovalPolicyTest.CLOCK);
        for (String shortName : List.of("my-svc", "my-svc.my-namespace")) {
            Decision decision = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, DEFAULT_SA,
                    dns(shortName).pem()));
            assertEquals(DecisionOutcome.DENIED, decision.outcome(), shortName);
            assertTrue(decision.message().contains(shortName + " is a short Service name, which means another Service "
                    + "in every namespace that resolves it (csrflow.approver.workload.short-names is off): ask for "
                    + "my-svc.my-namespace.svc.cluster.local"), decision.message());
        }
        assertEquals(DecisionOutcome.APPROVED, policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING,
                DEFAULT_SA, dns("my-svc.my-namespace.svc", "my-svc.my-namespace.svc.cluster.local").pem())).outcome());
    }

    @Test
    void anAdministratorsRuleLetsPeopleOfAGroupHaveNamesWithinItUnattended() {
        PolicySettings base = ApprovalPolicyTest.settings(ApprovalPolicyTest.serving(), false);
        PolicySettings.RequesterRule platform = new PolicySettings.RequesterRule("platform-team", java.util.Set.of(),
                java.util.Set.of("platform"), java.util.Optional.of(java.util.regex.Pattern.compile(
                        "[a-z0-9-]+\\.platform\\.example\\.com")), List.of(Cidr.parse("192.0.2.0/24")));
        PolicySettings withRule = new PolicySettings(base.signerNames(), base.cluster(), base.kubeletClient(),
                base.kubeletServing(), base.apiserverClient(), new PolicySettings.Workload(true,
                        base.workload().signerNames(), base.workload().endpointSliceManagers(), true, List.of(platform)));
        ApprovalPolicy policy = new ApprovalPolicy(withRule, CsrVerifier.defaults(), new ApprovalPolicyTest.Rbac(),
                new ApprovalPolicyTest.Nodes(), workloads, ApprovalPolicyTest.CLOCK);
        Requester jane = new Requester("jane", "u-jane", List.of("platform", "system:authenticated"), Map.of());
        Requester bob = new Requester("bob", "u-bob", List.of("developers", "system:authenticated"), Map.of());

        Decision within = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, jane,
                dns("api.platform.example.com").ipAddresses("192.0.2.10").pem()));
        assertEquals(DecisionOutcome.APPROVED, within.outcome(), within.message());
        assertEquals("Auto approving workload serving certificate for jane by the administrator's rule platform-team",
                within.message());

        Decision outside = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, jane,
                dns("api.platform.example.com", "my-svc.my-namespace.svc").ipAddresses("198.51.100.1").pem()));
        assertEquals(DecisionOutcome.NO_OPINION, outside.outcome());
        assertEquals("OutsideRequesterRule", outside.reason());
        assertEquals("left for an administrator: my-svc.my-namespace.svc is not a DNS name rule platform-team allows "
                + "([a-z0-9-]+\\.platform\\.example\\.com); 198.51.100.1 is outside the IP ranges of rule platform-team "
                + "[192.0.2.0/24]", outside.message());

        // The rule never lifts the checks every workload CSR gets.
        Decision wildcard = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, jane,
                dns("*.platform.example.com").pem()));
        assertEquals(DecisionOutcome.DENIED, wildcard.outcome());
        assertEquals("SANReserved", wildcard.reason());
        Decision clientAuth = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, List.of("digital signature",
                "client auth"), jane, dns("api.platform.example.com").pem()));
        assertEquals(DecisionOutcome.DENIED, clientAuth.outcome());

        Decision notNamed = policy.evaluate(ApprovalPolicyTest.csr(WORKLOAD_SIGNER, SERVING, bob,
                dns("api.platform.example.com").pem()));
        assertEquals("NotAServiceAccount", notNamed.reason());
    }

    @Test
    void theDocumentationsCfsslRequestIsApproved() {
        // The documentation's cfssl genkey input, with the Service's cluster IP of this cluster.
        String out = Cli.run(dir, """
                {"hosts": ["my-svc.my-namespace.svc.cluster.local", "my-pod.my-namespace.pod.cluster.local",
                           "10.96.0.24", "10.0.34.2"],
                 "CN": "my-pod.my-namespace.pod.cluster.local", "key": {"algo": "ecdsa", "size": 256}}
                """, "cfssl", "genkey", "-");
        String cfssl = out.substring(out.indexOf("-----BEGIN CERTIFICATE REQUEST-----"),
                out.indexOf("-----END CERTIFICATE REQUEST-----") + "-----END CERTIFICATE REQUEST-----".length())
                .replace("\\n", "\n") + "\n";
        Decision decision = decide(DEFAULT_SA, SERVING, cfssl);
        assertEquals(DecisionOutcome.APPROVED, decision.outcome(), decision.message());
    }

    @Test
    void podNamesReadAsIpsTheWayCoreDnsReadsThem() {
        assertEquals("10.0.34.3", WorkloadEntitlements.dashedIp("10-0-34-3").map(InetAddress::getHostAddress)
                .orElseThrow());
        assertTrue(WorkloadEntitlements.dashedIp("fd00--1").isPresent());
        assertFalse(WorkloadEntitlements.dashedIp("web-0").isPresent());
        assertFalse(WorkloadEntitlements.dashedIp("be-ef-ca").isPresent());
        assertFalse(WorkloadEntitlements.dashedIp("1-2-3").isPresent());
        // CoreDNS answers an IPv4-mapped IPv6 name with the IPv4 address it maps.
        assertEquals("10.0.0.5", WorkloadEntitlements.dashedIp("0-0-0-0-0-ffff-a00-5").map(InetAddress::getHostAddress)
                .orElseThrow());
        assertEquals("10.0.0.5", WorkloadEntitlements.dashedIp("0--ffff-a00-5").map(InetAddress::getHostAddress)
                .orElseThrow());
        assertFalse(WorkloadEntitlements.dashedIp("1-2-3-256").isPresent());
    }
}
