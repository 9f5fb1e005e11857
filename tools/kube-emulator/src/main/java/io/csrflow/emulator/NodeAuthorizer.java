package io.csrflow.emulator;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kube's Node authorizer (kubeadm runs {@code --authorization-mode=Node,RBAC}): requests of a kubelet,
 * {@code system:node:<name>} in {@code system:nodes}, are allowed by the {@code system:node} rules,
 * except that a node reads only its own Node (AuthorizeNodeWithSelectors, on by default since 1.32),
 * uses only its own Lease in {@code kube-node-lease}, and reaches Secrets, ConfigMaps, volumes and
 * pods only through the pods scheduled to it. The emulator stores pods but builds no such graph: a
 * node gets a pod bound to it and a ServiceAccount one of those runs as (read from the stored pods),
 * other graph reads are refused; pod status updates are allowed here and limited to the node's own pods by
 * NodeRestriction. A node lists and watches pods and PodCertificateRequests only with a
 * {@code spec.nodeName=<itself>} field selector, creates PodCertificateRequests (NodeRestriction checks
 * for which pod) and reads one by name when it names the node: the graph's only edge from a
 * PodCertificateRequest, which the emulator reads from the stored object instead.
 * Which Node a node may create or update is NodeRestriction's job (admission).
 */
final class NodeAuthorizer implements Authorizer {
    static final String NODES_GROUP = "system:nodes";
    static final String NODE_USER_PREFIX = "system:node:";
    private static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    /** Kinds a node reaches only through pods bound to it. */
    private static final List<String> GRAPH_READS = List.of("secrets", "configmaps");
    private static final List<String> GRAPH_GETS = List.of("persistentvolumeclaims", "persistentvolumes");

    private static final StoredResource POD_CERTIFICATE_REQUESTS = StoredResource.of(
            PodCertificateRequestRules.GROUP, PodCertificateRequestRules.RESOURCE);
    private static final StoredResource PODS = StoredResource.of("", "pods");

    private final List<JsonNode> nodeRules;
    /** Where PodCertificateRequests are looked up for gets by name; null: none are known. */
    private final ObjectStore store;

    /** A Node authorizer that knows no PodCertificateRequests. */
    NodeAuthorizer() {
        this(null);
    }

    NodeAuthorizer(ObjectStore store) {
        this.store = store;
        this.nodeRules = RbacManifests.bootstrapPolicy().stream()
                .filter(o -> o.path("kind").asText().equals("ClusterRole")
                        && o.path("metadata").path("name").asText().equals("system:node"))
                .findFirst().map(role -> {
                    List<JsonNode> rules = new java.util.ArrayList<>();
                    role.path("rules").forEach(rules::add);
                    return rules;
                })
                .orElseThrow(() -> new IllegalStateException("the bootstrap policy has no system:node role"));
    }

    /** The node a user is, "" for a node user without a name, null for a user that is no node. */
    static String nodeName(String user, List<String> groups) {
        if (user == null || !user.startsWith(NODE_USER_PREFIX) || !groups.contains(NODES_GROUP)) {
            return null;
        }
        return user.substring(NODE_USER_PREFIX.length());
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        String node = nodeName(request.user(), request.groups());
        if (node == null) {
            return Decision.NO_OPINION;
        }
        if (node.isEmpty()) {
            return Decision.noOpinion("unknown node for user \"" + request.user() + "\"");
        }
        if (request.resourceRequest()) {
            String group = request.apiGroup();
            String resource = request.resource();
            if (group.isEmpty() && GRAPH_READS.contains(resource)) {
                return readThroughPods(node, request);
            }
            if (group.isEmpty() && GRAPH_GETS.contains(resource)
                    || group.equals("storage.k8s.io") && resource.equals("volumeattachments")
                    || group.equals("resource.k8s.io") && resource.equals("resourceclaims")) {
                return getThroughPods(node, request);
            }
            if (group.isEmpty() && resource.equals("serviceaccounts")) {
                return request.verb().equals("get") && request.subresource().isEmpty()
                        ? serviceAccountOfItsPods(node, request) : serviceAccountToken(node, request);
            }
            if (group.equals("coordination.k8s.io") && resource.equals("leases")) {
                return lease(node, request);
            }
            if (group.equals("storage.k8s.io") && resource.equals("csinodes")) {
                return csiNode(node, request);
            }
            if (group.isEmpty() && resource.equals("nodes")) {
                return nodeObject(node, request);
            }
            if (group.isEmpty() && resource.equals("pods")) {
                return pod(node, request, store);
            }
            if (group.equals(PodCertificateRequestRules.GROUP) && resource.equals(PodCertificateRequestRules.RESOURCE)) {
                return podCertificateRequest(node, request);
            }
        }
        for (JsonNode rule : nodeRules) {
            if (RbacAuthorizer.allows(request, rule)) {
                return Decision.allow("");
            }
        }
        return Decision.NO_OPINION;
    }

    private static Decision noRelationship(String node) {
        return Decision.noOpinion("no relationship found between node '" + node + "' and this object");
    }

    private static Decision readThroughPods(String node, RequestAttributes request) {
        if (!List.of("get", "list", "watch").contains(request.verb())) {
            return Decision.noOpinion("can only read resources of this type");
        }
        if (!request.subresource().isEmpty()) {
            return Decision.noOpinion("cannot read subresource");
        }
        if (request.namespace().isEmpty()) {
            return Decision.noOpinion("can only read namespaced object of this type");
        }
        return request.name().isEmpty() ? Decision.noOpinion("No Object name found") : noRelationship(node);
    }

    private static Decision getThroughPods(String node, RequestAttributes request) {
        if (request.resource().equals("persistentvolumeclaims") && request.subresource().equals("status")) {
            if (!List.of("update", "patch").contains(request.verb())) {
                return Decision.noOpinion("can only get/update/patch this type");
            }
        } else if (!request.verb().equals("get")) {
            return Decision.noOpinion("can only get individual resources of this type");
        } else if (!request.subresource().isEmpty()) {
            return Decision.noOpinion("cannot get subresource");
        }
        return request.name().isEmpty() ? Decision.noOpinion("No Object name found") : noRelationship(node);
    }

    private static Decision serviceAccountToken(String node, RequestAttributes request) {
        if (!request.verb().equals("create") || request.name().isEmpty()) {
            return Decision.noOpinion("can only create tokens for individual service accounts");
        }
        if (!request.subresource().equals("token")) {
            return Decision.noOpinion("can only create token subresource of serviceaccount");
        }
        return noRelationship(node);
    }

    private static Decision csiNode(String node, RequestAttributes request) {
        if (!List.of("get", "create", "update", "patch", "delete").contains(request.verb())) {
            return Decision.noOpinion("can only get, create, update, patch, or delete a CSINode");
        }
        if (!request.subresource().isEmpty()) {
            return Decision.noOpinion("cannot authorize CSINode subresources");
        }
        if (!request.verb().equals("create") && !request.name().equals(node)) {
            return Decision.noOpinion("can only access CSINode with the same name as the requesting node");
        }
        return Decision.allow("");
    }

    private static Decision lease(String node, RequestAttributes request) {
        if (!List.of("get", "create", "update", "patch", "delete").contains(request.verb())) {
            return Decision.noOpinion("can only get, create, update, patch, or delete a node lease");
        }
        if (!request.namespace().equals(NODE_LEASE_NAMESPACE)) {
            return Decision.noOpinion("can only access leases in the \"" + NODE_LEASE_NAMESPACE
                    + "\" system namespace");
        }
        // On create the name is in the body: NodeRestriction checks it.
        if (!request.verb().equals("create") && !request.name().equals(node)) {
            return Decision.noOpinion("can only access node lease with the same name as the requesting node");
        }
        return Decision.allow("");
    }

    private static Decision nodeObject(String node, RequestAttributes request) {
        String verb = request.verb();
        if (request.subresource().isEmpty()) {
            if (List.of("create", "update", "patch").contains(verb)) {
                return Decision.allow("");
            }
            if (List.of("get", "list", "watch").contains(verb)) {
                if (request.name().equals(node)) {
                    return Decision.allow("");
                }
                return Decision.noOpinion(request.name().isEmpty()
                        ? "node '" + node + "' cannot read all nodes, only its own Node object"
                        : "node '" + node + "' cannot read '" + request.name() + "', only its own Node object");
            }
        } else if (request.subresource().equals("status") && List.of("update", "patch").contains(verb)) {
            return Decision.allow("");
        }
        return Decision.NO_OPINION;
    }

    /**
     * PodCertificateRequests: create (NodeRestriction then checks the pod), get of one naming this
     * node, list and watch of this node's only; no subresource, no other verb.
     */
    private Decision podCertificateRequest(String node, RequestAttributes request) {
        if (!request.subresource().isEmpty()) {
            return Decision.noOpinion("nodes may not access the status subresource of PodCertificateRequests");
        }
        switch (request.verb()) {
            case "create" -> {
                return Decision.allow("");
            }
            case "get" -> {
                if (request.name().isEmpty()) {
                    return Decision.noOpinion("No Object name found");
                }
                ObjectStore.Stored stored = store == null ? null
                        : store.get(POD_CERTIFICATE_REQUESTS, request.namespace(), request.name());
                boolean related = stored != null && node.equals(stored.fields.get("spec.nodeName"));
                return related ? Decision.allow("") : noRelationship(node);
            }
            case "list", "watch" -> {
                if (node.equals(request.fieldRequires("spec.nodeName"))) {
                    return Decision.allow("");
                }
                return Decision.noOpinion("can only list/watch podcertificaterequests with nodeName field selector");
            }
            default -> {
                return Decision.noOpinion("nodes may not " + request.verb() + " podcertificaterequests");
            }
        }
    }

    /**
     * A ServiceAccount is read by a node when one of the pods bound to it runs as that account (the
     * graph's serviceaccount → pod → node edges; the kubelet reads it for a PodCertificateRequest's
     * serviceAccountUID and for image credential providers).
     */
    private Decision serviceAccountOfItsPods(String node, RequestAttributes request) {
        if (request.name().isEmpty()) {
            return Decision.noOpinion("No Object name found");
        }
        boolean related = store != null && store.inNamespace(PODS, request.namespace()).stream().anyMatch(pod -> {
            JsonNode spec = pod.tree().path("spec");
            String account = spec.path("serviceAccountName").asText("");
            return node.equals(spec.path("nodeName").asText())
                    && request.name().equals(account.isEmpty() ? "default" : account);
        });
        return related ? Decision.allow("") : noRelationship(node);
    }

    private static Decision pod(String node, RequestAttributes request, ObjectStore store) {
        String verb = request.verb();
        switch (request.subresource()) {
            case "" -> {
                if (verb.equals("get")) {
                    if (request.name().isEmpty()) {
                        return Decision.noOpinion("No Object name found");
                    }
                    // The graph's pod → node edge: a pod bound to this node.
                    ObjectStore.Stored stored = store == null ? null : store.get(PODS, request.namespace(), request.name());
                    boolean bound = stored != null && node.equals(stored.tree().path("spec").path("nodeName").asText());
                    return bound ? Decision.allow("") : noRelationship(node);
                }
                if (List.of("list", "watch").contains(verb)) {
                    if (node.equals(request.fieldRequires("spec.nodeName"))) {
                        return Decision.allow("");
                    }
                    if (!request.name().isEmpty()) {
                        return noRelationship(node);
                    }
                    return Decision.noOpinion("can only list/watch pods with spec.nodeName field selector");
                }
                if (List.of("create", "delete").contains(verb)) {
                    return Decision.allow("");
                }
            }
            case "status" -> {
                if (List.of("update", "patch").contains(verb)) {
                    return Decision.allow("");
                }
            }
            case "eviction" -> {
                if (verb.equals("create")) {
                    return Decision.allow("");
                }
            }
            default -> {
                return Decision.NO_OPINION;
            }
        }
        return Decision.NO_OPINION;
    }
}
