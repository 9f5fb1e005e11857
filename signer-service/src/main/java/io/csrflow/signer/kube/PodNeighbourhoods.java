package io.csrflow.signer.kube;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.ApiUnavailableException;
import io.csrflow.signer.pods.PodNeighbourhood;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads a {@link PodNeighbourhood} from the live API when a pod's certificate is decided. Pod
 * certificates are asked for once per pod and refresh, far less often than a cache would be read,
 * so the signer reads what it needs instead of keeping every Pod, Service and EndpointSlice: the pod;
 * the EndpointSlices of its namespace; and, only when one of them points at the pod, its Services and
 * Pods, to see whom those Services select.
 */
@ApplicationScoped
public class PodNeighbourhoods {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    private final KubernetesClient client;

    PodNeighbourhoods(KubernetesClient client) {
        this.client = client;
    }

    /** @throws ApiUnavailableException when the API does not answer */
    public PodNeighbourhood read(String namespace, String podName, boolean withServices) {
        try {
            Optional<PodNeighbourhood.Pod> pod = Optional.ofNullable(client.pods().inNamespace(namespace)
                    .withName(podName).get()).map(PodNeighbourhoods::pod);
            if (pod.isEmpty() || !withServices) {
                return new PodNeighbourhood(pod, List.of(), List.of(), Map.of());
            }
            List<PodNeighbourhood.Endpoint> endpoints = new ArrayList<>();
            for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace).list()
                    .getItems()) {
                endpoints.addAll(endpoints(slice));
            }
            boolean backsAService = endpoints.stream().anyMatch(e -> "Pod".equals(e.targetKind())
                    && namespace.equals(e.targetNamespace()) && podName.equals(e.targetName()));
            if (!backsAService) {
                return new PodNeighbourhood(pod, List.of(), List.of(), Map.of());
            }
            List<String> services = client.services().inNamespace(namespace).list().getItems().stream()
                    .map(s -> s.getMetadata().getName()).toList();
            Map<String, String> accounts = new HashMap<>();
            for (Pod other : client.pods().inNamespace(namespace).list().getItems()) {
                accounts.put(other.getMetadata().getName(), serviceAccount(other));
            }
            return new PodNeighbourhood(pod, endpoints, services, accounts);
        } catch (KubernetesClientException e) {
            throw new ApiUnavailableException("reading Pod " + namespace + "/" + podName + " and its Services failed: "
                    + e.getMessage(), e);
        }
    }

    private static PodNeighbourhood.Pod pod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return new PodNeighbourhood.Pod(pod.getMetadata().getUid(), serviceAccount(pod),
                pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName(),
                pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels(),
                "Succeeded".equals(phase) || "Failed".equals(phase));
    }

    /** The API defaults an unset service account to {@code default}. */
    private static String serviceAccount(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
        return name == null || name.isEmpty() ? "default" : name;
    }

    private static List<PodNeighbourhood.Endpoint> endpoints(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels() == null ? Map.of() : slice.getMetadata().getLabels();
        String service = labels.get(SERVICE_NAME_LABEL);
        if (service == null || slice.getEndpoints() == null) {
            return List.of();
        }
        String manager = labels.getOrDefault(MANAGED_BY_LABEL, "");
        List<PodNeighbourhood.Endpoint> endpoints = new ArrayList<>();
        for (Endpoint endpoint : slice.getEndpoints()) {
            ObjectReference target = endpoint.getTargetRef();
            endpoints.add(new PodNeighbourhood.Endpoint(slice.getMetadata().getName(), service, manager,
                    target == null || target.getKind() == null ? "" : target.getKind(),
                    target == null || target.getNamespace() == null ? slice.getMetadata().getNamespace()
                            : target.getNamespace(),
                    target == null || target.getName() == null ? "" : target.getName()));
        }
        return endpoints;
    }
}
