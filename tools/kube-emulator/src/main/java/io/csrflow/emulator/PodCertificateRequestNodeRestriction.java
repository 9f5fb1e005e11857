package io.csrflow.emulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * NodeRestriction's rule for PodCertificateRequests ({@code admitPodCertificateRequest} in
 * {@code plugin/pkg/admission/noderestriction}): a kubelet creates one only for a pod bound to itself,
 * naming its own Node and that Node's uid, the pod's uid, service account name and service account
 * uid as they are, and never for a mirror pod. Whatever a stale cache could not explain (another
 * node, a pod bound elsewhere, a mirror pod, another service account name) is final, 403 Forbidden.
 * An object that is not there, or a uid that differs, may be the API server's informers lagging behind
 * the kubelet: the plugin then returns a plain error, which the API server answers 500 with no reason,
 * so that the kubelet retries. The plugin reads the store where the API server reads its informers.
 */
final class PodCertificateRequestNodeRestriction {
    private static final StoredResource NODES = StoredResource.of("", "nodes");
    private static final StoredResource PODS = StoredResource.of("", "pods");
    private static final StoredResource SERVICE_ACCOUNTS = StoredResource.of("", "serviceaccounts");
    private static final String MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

    private final ObjectStore store;

    PodCertificateRequestNodeRestriction(ObjectStore store) {
        this.store = store;
    }

    /** Admits the write of {@code node} or throws what the API server answers. */
    void admit(String node, AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.CREATE) {
            throw request.forbidden("unexpected operation " + request.operation());
        }
        if (request.path().subresource() != null) {
            throw request.forbidden("unexpected subresource " + request.path().subresource());
        }
        JsonNode spec = request.object().path("spec");
        String namespace = request.path().namespace();
        String podRef = namespace + "/" + spec.path("podName").asText("");
        String nodeName = spec.path("nodeName").asText("");
        if (!nodeName.equals(node)) {
            throw request.forbidden("PodCertificateRequest.Spec.NodeName=" + q(nodeName)
                    + ", which is not the requesting node " + q(node));
        }
        JsonNode nodeObject = lookUp(NODES, null, nodeName, "node", "node " + q(nodeName));
        String nodeUid = uid(nodeObject);
        if (!nodeUid.equals(spec.path("nodeUID").asText(""))) {
            throw ApiException.plainError("PodCertificateRequest for pod " + q(podRef) + " names node UID "
                    + q(spec.path("nodeUID").asText("")) + ", inconsistent with the running node (" + q(nodeUid) + ")");
        }
        String podName = spec.path("podName").asText("");
        JsonNode pod = lookUp(PODS, namespace, podName, "pod", "pod " + q(podRef));
        if (!uid(pod).equals(spec.path("podUID").asText(""))) {
            throw ApiException.plainError("PodCertificateRequest for pod " + q(podRef) + " contains pod UID ("
                    + q(spec.path("podUID").asText("")) + ") which differs from running pod " + q(uid(pod)));
        }
        if (!pod.path("spec").path("nodeName").asText("").equals(nodeName)) {
            throw request.forbidden("pod " + q(podRef) + " is not running on node " + q(nodeName)
                    + " named in the PodCertificateRequest");
        }
        if (pod.path("metadata").path("annotations").has(MIRROR_POD_ANNOTATION)) {
            throw request.forbidden("pod " + q(podRef) + " is a mirror pod");
        }
        String accountName = spec.path("serviceAccountName").asText("");
        String podAccount = pod.path("spec").path("serviceAccountName").asText("");
        if (!accountName.equals(podAccount)) {
            // Final: the pod's uid matched, so this is the pod as it is, not a stale copy.
            throw request.forbidden("PodCertificateRequest for pod " + q(podRef) + " contains serviceAccountName ("
                    + q(accountName) + ") that differs from running pod (" + q(podAccount) + ")");
        }
        JsonNode account = lookUp(SERVICE_ACCOUNTS, namespace, accountName, "serviceaccount",
                "service account " + q(namespace + "/" + accountName));
        if (!uid(account).equals(spec.path("serviceAccountUID").asText(""))) {
            throw ApiException.plainError("PodCertificateRequest for pod " + q(podRef) + " names service account UID "
                    + q(spec.path("serviceAccountUID").asText("")) + ", which differs from the running service "
                    + "account (" + q(uid(account)) + ")");
        }
    }

    /**
     * The object, or the plain error the plugin wraps a lister's NotFound in (listers name the
     * resource in the singular: {@code pod "x" not found}).
     */
    private JsonNode lookUp(StoredResource resource, String namespace, String name, String singular,
            String described) {
        ObjectStore.Stored stored = store.get(resource, namespace, name);
        if (stored == null) {
            throw ApiException.plainError("while retrieving " + described + " named in the PodCertificateRequest: "
                    + singular + " " + q(name) + " not found");
        }
        return stored.tree();
    }

    private static String uid(JsonNode object) {
        return object.path("metadata").path("uid").asText("");
    }

    private static String q(String value) {
        return Authorization.quote(value);
    }
}
