package io.csrflow.signer.pods;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the API shows around one pod when its certificate is decided: the pod itself, and, when some
 * EndpointSlice points at it, every endpoint of the Services that list it, those of them that exist,
 * and the pods of its service account (by name; any pod not there runs as another account or not at all).
 */
public record PodNeighbourhood(Optional<Pod> pod, List<Endpoint> endpoints, List<String> services,
                               Map<String, String> serviceAccountOfPod) {

    public PodNeighbourhood {
        endpoints = List.copyOf(endpoints);
        services = List.copyOf(services);
        serviceAccountOfPod = Map.copyOf(serviceAccountOfPod);
    }

    /** A pod: its UID, service account, node, labels, and whether it has finished (Succeeded, Failed or being deleted). */
    public record Pod(String uid, String serviceAccount, String nodeName, Map<String, String> labels,
                      boolean finished) {
        public Pod {
            labels = Map.copyOf(labels);
        }
    }

    /**
     * One endpoint of Service {@code service}, listed by EndpointSlice {@code slice} whose
     * {@code endpointslice.kubernetes.io/managed-by} is {@code manager} (empty if none), pointing at
     * {@code targetKind targetNamespace/targetName} (empty when it has no targetRef).
     */
    public record Endpoint(String slice, String service, String manager, String targetKind, String targetNamespace,
                           String targetName) {
    }
}
