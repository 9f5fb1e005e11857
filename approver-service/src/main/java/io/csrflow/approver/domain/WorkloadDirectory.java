package io.csrflow.approver.domain;

import java.util.List;
import java.util.Optional;

/**
 * The Pods, Services and EndpointSlices the approver knows (informer caches that keep only these
 * fields): what a ServiceAccount may name in a serving certificate is read from who runs where.
 */
public interface WorkloadDirectory {
    /**
     * A Pod: its service account (immutable once created), whether it still runs (not Succeeded or
     * Failed), whether it shares its node's network, its IPs (canonical), hostname and subdomain.
     */
    record WorkloadPod(String namespace, String name, String uid, String serviceAccount, boolean finished,
                       boolean hostNetwork, List<String> ips, String hostname, String subdomain) {
        public WorkloadPod {
            ips = List.copyOf(ips);
        }

        String label() {
            return "Pod " + namespace + "/" + name;
        }
    }

    /**
     * One endpoint of a Service, from one of its EndpointSlices ({@code kubernetes.io/service-name}):
     * the slice, the controller that manages it ({@code endpointslice.kubernetes.io/managed-by}, empty
     * if none), and the target it points at ({@code targetRef}; kind and name empty when none).
     */
    record Endpoint(String slice, String manager, String targetKind, String targetNamespace, String targetName) {
    }

    /** A Service: its cluster IPs (canonical; none for a headless one) and every endpoint its slices list. */
    record WorkloadService(String namespace, String name, List<String> clusterIps, List<Endpoint> endpoints) {
        public WorkloadService {
            clusterIps = List.copyOf(clusterIps);
            endpoints = List.copyOf(endpoints);
        }

        String label() {
            return "Service " + namespace + "/" + name;
        }
    }

    Optional<WorkloadPod> pod(String namespace, String name);

    /** Every Pod of the namespace. */
    List<WorkloadPod> pods(String namespace);

    /** Every Pod, in any namespace, that lists this IP (canonical form). */
    List<WorkloadPod> podsWithIp(String ip);

    Optional<WorkloadService> service(String namespace, String name);

    /** Every Service, in any namespace, with this cluster IP (canonical form). */
    List<WorkloadService> servicesWithClusterIp(String ip);

    /** Whether Pods, Services and EndpointSlices have all been read: before that, absence proves nothing. */
    boolean synced();

    /** Whether it stopped following one of them for good: it is not synced until it has listed them afresh. */
    boolean stopped();
}
