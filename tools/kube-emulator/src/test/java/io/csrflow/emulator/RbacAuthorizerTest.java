package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RBAC rule matching as kube's RBAC authorizer does it (plugin/pkg/auth/authorizer/rbac): verbs,
 * API groups, {@code resource/subresource} and {@code *}/{@code *}/subresource, resource names,
 * non-resource URLs with a trailing {@code *}, RoleBindings scoping a ClusterRole to their
 * namespace, ServiceAccount subjects as {@code system:serviceaccount:<ns>:<name>}.
 */
class RbacAuthorizerTest {
    private static final String POLICY = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: csr-reader}
            rules:
              - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get, list, watch]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: csr-reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-reader}
            subjects:
              - {kind: ServiceAccount, name: csr-watcher, namespace: csrflow}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: kubelet-serving-approver}
            rules:
              - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
              - apiGroups: [certificates.k8s.io]
                resources: [signers]
                resourceNames: [kubernetes.io/kubelet-serving]
                verbs: [approve]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: alice-approves}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-serving-approver}
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: any-status}
            rules:
              - {apiGroups: [""], resources: ["*/status"], verbs: [update]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: read-everything}
            rules:
              - {apiGroups: ["*"], resources: ["*"], verbs: [get]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: health}
            rules:
              - {nonResourceURLs: [/healthz, /logs/*], verbs: [get]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ops}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ops-status}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: any-status}
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ops}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: auditors}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: read-everything}
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: auditors}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ghost}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ghost}
            subjects:
              - {apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: lease, namespace: csrflow}
            rules:
              - {apiGroups: [coordination.k8s.io], resources: [leases], resourceNames: [csr-watcher], verbs: [get, update]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: lease, namespace: csrflow}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lease}
            subjects:
              - {kind: ServiceAccount, name: csr-watcher}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: event-writer}
            rules:
              - {apiGroups: [""], resources: [events], verbs: [create]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: events, namespace: default}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: event-writer}
            subjects:
              - {kind: ServiceAccount, name: approver-service, namespace: csrflow}
            """;
    private static final RbacAuthorizer RBAC = new RbacAuthorizer(RbacSnapshot.of(RbacManifests.parse(POLICY)));

    private static final String WATCHER = "system:serviceaccount:csrflow:csr-watcher";
    private static final String APPROVER = "system:serviceaccount:csrflow:approver-service";
    private static final String CERTS = "certificates.k8s.io";
    private static final String CSRS = "certificatesigningrequests";

    private static RequestAttributes request(String user, String verb, String group, String resource, String namespace,
            String name, String... groups) {
        return RequestAttributes.ofResource(user, List.of(groups), verb, group, resource, namespace, name);
    }

    private static Arguments allowed(String description, RequestAttributes request, String reason) {
        return Arguments.of(description, request, true, reason);
    }

    private static Arguments denied(String description, RequestAttributes request) {
        return Arguments.of(description, request, false, "");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                allowed("a ServiceAccount subject matches its user name",
                        request(WATCHER, "list", CERTS, CSRS, null, null),
                        "RBAC: allowed by ClusterRoleBinding \"csr-reader\" of ClusterRole \"csr-reader\" to "
                                + "ServiceAccount \"csr-watcher/csrflow\""),
                denied("a verb the rule lacks", request(WATCHER, "delete", CERTS, CSRS, null, "x")),
                denied("the same ServiceAccount name in another namespace",
                        request("system:serviceaccount:other:csr-watcher", "list", CERTS, CSRS, null, null)),
                denied("a resource rule says nothing of a subresource",
                        request(WATCHER, "get", CERTS, CSRS + "/status", null, "x")),
                allowed("a User subject, resource/subresource",
                        request("alice", "update", CERTS, CSRS + "/approval", null, "x"),
                        "RBAC: allowed by ClusterRoleBinding \"alice-approves\" of ClusterRole "
                                + "\"kubelet-serving-approver\" to User \"alice\""),
                denied("a subresource rule says nothing of the resource", request("alice", "update", CERTS, CSRS, null,
                        "x")),
                denied("nor of another subresource", request("alice", "update", CERTS, CSRS + "/status", null, "x")),
                allowed("a listed resource name", request("alice", "approve", CERTS, "signers", null,
                        "kubernetes.io/kubelet-serving"), "RBAC: allowed by ClusterRoleBinding \"alice-approves\" of "
                                + "ClusterRole \"kubelet-serving-approver\" to User \"alice\""),
                denied("a resource name not listed", request("alice", "approve", CERTS, "signers", null,
                        "kubernetes.io/kube-apiserver-client")),
                denied("a domain wildcard is just another name to RBAC", request("alice", "approve", CERTS, "signers",
                        null, "kubernetes.io/*")),
                denied("resource names leave unnamed requests out", request("alice", "approve", CERTS, "signers", null,
                        null)),
                allowed("*/status matches any resource's status", request("carol", "update", "", "nodes/status", null,
                        "n1", "ops"), "RBAC: allowed by ClusterRoleBinding \"ops-status\" of ClusterRole \"any-status\" "
                                + "to Group \"ops\""),
                denied("*/status is not the resource itself", request("carol", "update", "", "nodes", null, "n1", "ops")),
                denied("*/status in another API group", request("carol", "update", CERTS, CSRS + "/status", null, "x",
                        "ops")),
                allowed("* for groups and resources", request("dave", "get", "apps", "deployments", "web", "d",
                        "auditors"), "RBAC: allowed by ClusterRoleBinding \"auditors\" of ClusterRole "
                                + "\"read-everything\" to Group \"auditors\""),
                allowed("* for resources includes subresources", request("dave", "get", "", "pods/log", "web", "p",
                        "auditors"), "RBAC: allowed by ClusterRoleBinding \"auditors\" of ClusterRole "
                                + "\"read-everything\" to Group \"auditors\""),
                denied("* for resources is not * for verbs", request("dave", "list", "apps", "deployments", "web", null,
                        "auditors")),
                allowed("a Role through a RoleBinding in its namespace, by name",
                        request(WATCHER, "update", "coordination.k8s.io", "leases", "csrflow", "csr-watcher"),
                        "RBAC: allowed by RoleBinding \"lease/csrflow\" of Role \"lease\" to ServiceAccount "
                                + "\"csr-watcher/csrflow\""),
                denied("that Role for another name", request(WATCHER, "update", "coordination.k8s.io", "leases",
                        "csrflow", "other")),
                denied("that Role in another namespace", request(WATCHER, "update", "coordination.k8s.io", "leases",
                        "default", "csr-watcher")),
                denied("that Role at the cluster scope", request(WATCHER, "update", "coordination.k8s.io", "leases",
                        null, "csr-watcher")),
                allowed("a ClusterRole through a RoleBinding, in the binding's namespace",
                        request(APPROVER, "create", "", "events", "default", null),
                        "RBAC: allowed by RoleBinding \"events/default\" of ClusterRole \"event-writer\" to "
                                + "ServiceAccount \"approver-service/csrflow\""),
                denied("that ClusterRole in another namespace", request(APPROVER, "create", "", "events", "csrflow",
                        null)),
                Arguments.of("a binding to a missing role explains the denial",
                        request("bob", "get", "", "nodes", null, "n1"), false,
                        "RBAC: clusterrole.rbac.authorization.k8s.io \"ghost\" not found"),
                allowed("a non-resource URL", RequestAttributes.ofPath("carol", List.of("ops"), "get", "/healthz"),
                        "RBAC: allowed by ClusterRoleBinding \"ops\" of ClusterRole \"health\" to Group \"ops\""),
                allowed("a non-resource URL under a trailing *", RequestAttributes.ofPath("carol", List.of("ops"), "get",
                        "/logs/kube-apiserver.log"), "RBAC: allowed by ClusterRoleBinding \"ops\" of ClusterRole "
                                + "\"health\" to Group \"ops\""),
                denied("the prefix of a trailing * needs its slash", RequestAttributes.ofPath("carol", List.of("ops"),
                        "get", "/logs")),
                denied("a non-resource URL with another verb", RequestAttributes.ofPath("carol", List.of("ops"), "post",
                        "/healthz")),
                denied("resource rules grant no URLs", RequestAttributes.ofPath("dave", List.of("auditors"), "get",
                        "/healthz")),
                denied("a stranger", request("mallory", "get", CERTS, CSRS, null, "x", "system:authenticated")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decidesAsKubernetesRbacDoes(String description, RequestAttributes request, boolean allowed, String reason) {
        Authorizer.Decision decision = RBAC.authorize(request);

        assertEquals(allowed, decision.allowed(), description);
        assertEquals(reason, decision.reason(), description);
    }
}
