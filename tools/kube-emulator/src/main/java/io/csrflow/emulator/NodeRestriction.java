package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * kube's NodeRestriction admission plugin, for what the emulator serves: a kubelet
 * ({@code system:node:<name>} in {@code system:nodes}) creates, updates and deletes only its own Node
 * and status, never with the labels kubelets may not set nor a change of its taints, and only its
 * own Lease in {@code kube-node-lease}; it creates only mirror pods bound to itself, and updates the
 * status of (or deletes) only pods whose {@code spec.nodeName} is itself, without changing their labels;
 * it creates PodCertificateRequests only for pods bound to itself
 * ({@link PodCertificateRequestNodeRestriction}). (PVCs and service account tokens, which it also
 * restricts, are not checked.)
 */
final class NodeRestriction implements Admission.Plugin {
    private static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    private static final String RESTRICTED_LABEL_NAMESPACE = "node-restriction.kubernetes.io";
    /** Labels under kubernetes.io and k8s.io a kubelet may set on its Node (k8s.io/kubelet/pkg/apis). */
    private static final Set<String> KUBELET_LABELS = Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone",
            "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/region", "beta.kubernetes.io/instance-type",
            "node.kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os",
            "beta.kubernetes.io/arch");
    private static final List<String> KUBELET_LABEL_NAMESPACES = List.of("kubelet.kubernetes.io",
            "node.kubernetes.io");

    private final PodCertificateRequestNodeRestriction podCertificateRequests;

    NodeRestriction(ObjectStore store) {
        this.podCertificateRequests = new PodCertificateRequestNodeRestriction(store);
    }

    @Override
    public void validate(AdmissionRequest request) {
        EmulatorConfig.User caller = request.caller();
        String node = NodeAuthorizer.nodeName(caller.username(), caller.groups());
        if (node == null) {
            return;
        }
        if (node.isEmpty()) {
            throw request.forbidden("could not determine node from user " + Authorization.quote(caller.username()));
        }
        ApiPath path = request.path();
        if (path.is("", "nodes")) {
            admitNode(node, request);
        } else if (path.is("coordination.k8s.io", "leases")) {
            admitLease(node, request);
        } else if (path.is("", "pods")) {
            admitPod(node, request);
        } else if (path.is(PodCertificateRequestRules.GROUP, PodCertificateRequestRules.RESOURCE)) {
            podCertificateRequests.admit(node, request);
        }
    }

    private static void admitPod(String node, AdmissionRequest request) {
        String quotedNode = Authorization.quote(node);
        String subresource = request.path().subresource();
        switch (request.operation()) {
            case CREATE -> {
                if (subresource != null) {
                    return; // evictions and the like: the Node authorizer decides
                }
                ObjectNode pod = request.object();
                if (!pod.path("metadata").path("annotations").has("kubernetes.io/config.mirror")) {
                    throw request.forbidden("pod does not have \"kubernetes.io/config.mirror\" annotation, node "
                            + quotedNode + " can only create mirror pods");
                }
                if (!node.equals(pod.path("spec").path("nodeName").asText(""))) {
                    throw request.forbidden("node " + quotedNode + " can only create pods with spec.nodeName set to "
                            + "itself");
                }
            }
            case UPDATE -> {
                JsonNode stored = request.oldObject();
                if (!"status".equals(subresource)) {
                    throw request.forbidden("node " + quotedNode + " can only update pod status");
                }
                if (!node.equals(stored.path("spec").path("nodeName").asText(""))) {
                    throw request.forbidden("node " + quotedNode + " can only update pod status for pods with "
                            + "spec.nodeName set to itself");
                }
                ObjectNode updated = request.object();
                if (updated != null && !updated.path("metadata").path("labels").equals(stored.path("metadata")
                        .path("labels"))) {
                    throw request.forbidden("node " + quotedNode + " cannot update labels through pod status");
                }
            }
            case DELETE -> {
                if (!node.equals(request.oldObject().path("spec").path("nodeName").asText(""))) {
                    throw request.forbidden("node " + quotedNode + " can only delete pods with spec.nodeName set to "
                            + "itself");
                }
            }
            default -> {
                // nothing else reaches admission
            }
        }
    }

    private static void admitNode(String node, AdmissionRequest request) {
        String requested = request.name();
        if (!requested.equals(node)) {
            throw request.forbidden("node " + Authorization.quote(node) + " is not allowed to modify node "
                    + Authorization.quote(requested));
        }
        ObjectNode updated = request.object();
        if (updated == null || request.path().subresource() != null) {
            return; // a patch, a delete, or a status update (which keeps the stored spec)
        }
        if (request.operation() == AdmissionRequest.Operation.CREATE) {
            if (!updated.path("spec").path("configSource").isMissingNode()
                    && !updated.path("spec").path("configSource").isNull()) {
                throw request.forbidden("node " + Authorization.quote(node)
                        + " is not allowed to create pods with a non-nil configSource");
            }
            Set<String> forbidden = forbiddenLabels(modified(updated.path("metadata").path("labels"),
                    Json.MAPPER.createObjectNode()));
            if (!forbidden.isEmpty()) {
                throw request.forbidden("node " + Authorization.quote(node)
                        + " is not allowed to set the following labels: " + String.join(", ", forbidden));
            }
            return;
        }
        ObjectNode old = request.oldObject();
        JsonNode configSource = updated.path("spec").path("configSource");
        if (!configSource.isMissingNode() && !configSource.isNull()
                && !configSource.equals(old.path("spec").path("configSource"))) {
            throw request.forbidden("node " + Authorization.quote(node)
                    + " is not allowed to update configSource to a new non-nil configSource");
        }
        if (!taints(updated).equals(taints(old))) {
            throw request.forbidden("node " + Authorization.quote(node) + " is not allowed to modify taints");
        }
        Set<String> forbidden = forbiddenLabels(modified(updated.path("metadata").path("labels"),
                old.path("metadata").path("labels")));
        if (!forbidden.isEmpty()) {
            throw request.forbidden("is not allowed to modify labels: " + String.join(", ", forbidden));
        }
    }

    private static JsonNode taints(JsonNode node) {
        JsonNode taints = node.path("spec").path("taints");
        return taints.isArray() && !taints.isEmpty() ? taints : Json.MAPPER.createArrayNode();
    }

    private static Set<String> modified(JsonNode now, JsonNode before) {
        Set<String> keys = new TreeSet<>();
        List<String> all = new ArrayList<>();
        now.fieldNames().forEachRemaining(all::add);
        before.fieldNames().forEachRemaining(all::add);
        for (String key : all) {
            if (!now.path(key).equals(before.path(key))) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static Set<String> forbiddenLabels(Set<String> modified) {
        Set<String> forbidden = new TreeSet<>();
        for (String label : modified) {
            String namespace = label.contains("/") ? label.substring(0, label.indexOf('/')) : "";
            if (namespace.equals(RESTRICTED_LABEL_NAMESPACE) || namespace.endsWith("." + RESTRICTED_LABEL_NAMESPACE)) {
                forbidden.add(label);
            }
            if (isKubernetesLabel(namespace) && !isKubeletLabel(label, namespace)) {
                forbidden.add(label);
            }
        }
        return forbidden;
    }

    private static boolean isKubernetesLabel(String namespace) {
        return namespace.equals("kubernetes.io") || namespace.endsWith(".kubernetes.io") || namespace.equals("k8s.io")
                || namespace.endsWith(".k8s.io");
    }

    private static boolean isKubeletLabel(String label, String namespace) {
        return KUBELET_LABELS.contains(label) || KUBELET_LABEL_NAMESPACES.stream()
                .anyMatch(allowed -> namespace.equals(allowed) || namespace.endsWith("." + allowed));
    }

    private static void admitLease(String node, AdmissionRequest request) {
        if (!NODE_LEASE_NAMESPACE.equals(request.path().namespace())) {
            throw request.forbidden("can only access leases in the " + Authorization.quote(NODE_LEASE_NAMESPACE)
                    + " system namespace");
        }
        if (!request.name().equals(node)) {
            throw request.forbidden("can only access node lease with the same name as the requesting node");
        }
    }
}
