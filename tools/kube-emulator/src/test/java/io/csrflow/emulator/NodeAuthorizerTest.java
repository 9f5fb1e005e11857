package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a kubelet ({@code system:node:<name>} in {@code system:nodes}) may do without any RBAC
 * binding, as kube's Node authorizer decides it: the {@code system:node} rules, its own Node only
 * for reads, node Leases by name in {@code kube-node-lease}, pods and PodCertificateRequests listed
 * only with its own {@code spec.nodeName} selector, and nothing reached through the pod graph (this
 * authorizer has no store, so it knows no pods; PodCertificateRequestApiTest reads through pods).
 */
class NodeAuthorizerTest {
    private static final NodeAuthorizer NODES = new NodeAuthorizer();
    private static final String N1 = "system:node:n1";
    private static final String CERTS = "certificates.k8s.io";
    private static final String CSRS = "certificatesigningrequests";
    private static final String PCRS = "podcertificaterequests";

    private static RequestAttributes node(String verb, String group, String resource, String namespace, String name) {
        return RequestAttributes.ofResource(N1, List.of("system:nodes", "system:authenticated"), verb, group, resource,
                namespace, name);
    }

    private static RequestAttributes nodeSelecting(String verb, String group, String resource, String selector) {
        return new RequestAttributes(N1, List.of("system:nodes", "system:authenticated"), verb, group, resource, "",
                "ns", "", "", true, selector);
    }

    private static Arguments allowed(String description, RequestAttributes request) {
        return Arguments.of(description, request, true, "");
    }

    private static Arguments denied(String description, RequestAttributes request, String reason) {
        return Arguments.of(description, request, false, reason);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                allowed("registers a Node", node("create", "", "nodes", null, null)),
                allowed("reads its own Node", node("get", "", "nodes", null, "n1")),
                denied("not another Node", node("get", "", "nodes", null, "n2"),
                        "node 'n1' cannot read 'n2', only its own Node object"),
                denied("nor all Nodes", node("list", "", "nodes", null, null),
                        "node 'n1' cannot read all nodes, only its own Node object"),
                allowed("watches its own Node by name", node("watch", "", "nodes", null, "n1")),
                allowed("updates a Node (NodeRestriction keeps it to its own)", node("update", "", "nodes", null, "n2")),
                allowed("updates a Node's status", node("patch", "", "nodes/status", null, "n1")),
                denied("never deletes a Node", node("delete", "", "nodes", null, "n1"), ""),
                allowed("creates CSRs", node("create", CERTS, CSRS, null, null)),
                allowed("reads CSRs", node("get", CERTS, CSRS, null, "node-csr-1")),
                denied("never approves", node("update", CERTS, CSRS + "/approval", null, "node-csr-1"), ""),
                allowed("records Events", node("create", "", "events", "default", null)),
                allowed("lists its own pods", nodeSelecting("list", "", "pods", "spec.nodeName=n1")),
                allowed("watches its own pods (== is an equality too)", nodeSelecting("watch", "", "pods",
                        "status.phase!=Failed,spec.nodeName==n1")),
                denied("not another node's pods", nodeSelecting("list", "", "pods", "spec.nodeName=n2"),
                        "can only list/watch pods with spec.nodeName field selector"),
                allowed("creates PodCertificateRequests (NodeRestriction checks the pod)",
                        node("create", CERTS, PCRS, "ns", null)),
                allowed("watches its own PodCertificateRequests", nodeSelecting("watch", CERTS, PCRS,
                        "spec.nodeName=n1")),
                denied("not all PodCertificateRequests", node("list", CERTS, PCRS, "ns", null),
                        "can only list/watch podcertificaterequests with nodeName field selector"),
                denied("a PodCertificateRequest it has no edge to", node("get", CERTS, PCRS, "ns", "pcr-1"),
                        "no relationship found between node 'n1' and this object"),
                denied("never writes a PodCertificateRequest's status", node("update", CERTS, PCRS + "/status", "ns",
                        "pcr-1"), "nodes may not access the status subresource of PodCertificateRequests"),
                denied("never deletes a PodCertificateRequest", node("delete", CERTS, PCRS, "ns", "pcr-1"),
                        "nodes may not delete podcertificaterequests"),
                denied("a Secret no pod of it uses", node("get", "", "secrets", "csrflow", "ca"),
                        "no relationship found between node 'n1' and this object"),
                denied("no list of Secrets", node("list", "", "secrets", "csrflow", null), "No Object name found"),
                denied("no write of ConfigMaps", node("update", "", "configmaps", "csrflow", "c"),
                        "can only read resources of this type"),
                allowed("its Lease", node("update", "coordination.k8s.io", "leases", "kube-node-lease", "n1")),
                allowed("creates its Lease (NodeRestriction checks the name)",
                        node("create", "coordination.k8s.io", "leases", "kube-node-lease", null)),
                denied("another node's Lease", node("update", "coordination.k8s.io", "leases", "kube-node-lease", "n2"),
                        "can only access node lease with the same name as the requesting node"),
                denied("a Lease elsewhere", node("get", "coordination.k8s.io", "leases", "csrflow", "n1"),
                        "can only access leases in the \"kube-node-lease\" system namespace"),
                denied("a node name without the nodes group is no node",
                        RequestAttributes.ofResource(N1, List.of("system:authenticated"), "create", CERTS, CSRS, null,
                                null), ""),
                denied("the nodes group without a node name", RequestAttributes.ofResource("system:node:",
                        List.of("system:nodes"), "create", CERTS, CSRS, null, null),
                        "unknown node for user \"system:node:\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesAsTheNodeAuthorizerDoes(String description, RequestAttributes request, boolean allowed, String reason) {
        Authorizer.Decision decision = NODES.authorize(request);

        assertEquals(allowed, decision.allowed(), description);
        assertEquals(reason, decision.reason(), description);
    }
}
