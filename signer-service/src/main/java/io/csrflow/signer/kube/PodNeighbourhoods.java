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
 * then, once the pod has passed every other check, the EndpointSlices of its namespace and, only when
 * one of them points at the pod, those Services and the pods of its service account.
 */
@ApplicationScoped
public class PodNeighbourhoods {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    private final KubernetesClient client;

    PodNeighbourhoods(KubernetesClient client) {
        this.client = client;
    }

    /** The pod alone; @throws ApiUnavailableException when the API does not answer */
    public PodNeighbourhood pod(String namespace, String podName) {
        try {
            return new PodNeighbourhood(Optional.ofNullable(client.pods().inNamespace(namespace).withName(podName).get())
                    .map(PodNeighbourhoods::pod), List.of(), List.of(), Map.of());
        } catch (KubernetesClientException e) {
            throw new ApiUnavailableException("reading Pod " + namespace + "/" + podName + " failed: " + e.getMessage(),
                    e);
        }
    }

    /**
     * The pod with the Services that list it: the namespace's EndpointSlices, and only when one points
     * at the pod, those Services (by name) and the pods of {@code serviceAccount} (a field selector:
     * the rest of the namespace is never read). @throws ApiUnavailableException when the API does not answer
     */
    public PodNeighbourhood withServices(PodNeighbourhood alone, String namespace, String podName,
            String serviceAccount) {
        try {
            List<PodNeighbourhood.Endpoint> endpoints = new ArrayList<>();
            for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace).list()
                    .getItems()) {
                endpoints.addAll(endpoints(slice));
            }
            List<String> listing = endpoints.stream().filter(e -> "Pod".equals(e.targetKind())
                    && namespace.equals(e.targetNamespace()) && podName.equals(e.targetName()))
                    .map(PodNeighbourhood.Endpoint::service).distinct().toList();
            if (listing.isEmpty()) {
                return alone;
            }
            List<String> services = listing.stream()
                    .filter(name -> client.services().inNamespace(namespace).withName(name).get() != null).toList();
            Map<String, String> accounts = new HashMap<>();
            for (Pod own : client.pods().inNamespace(namespace).withField("spec.serviceAccountName", serviceAccount)
                    .list().getItems()) {
                accounts.put(own.getMetadata().getName(), serviceAccount(own));
            }
            return new PodNeighbourhood(alone.pod(), endpoints.stream().filter(e -> listing.contains(e.service()))
                    .toList(), services, accounts);
        } catch (KubernetesClientException e) {
            throw new ApiUnavailableException("reading the Services of Pod " + namespace + "/" + podName + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static PodNeighbourhood.Pod pod(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return new PodNeighbourhood.Pod(pod.getMetadata().getUid(), serviceAccount(pod),
                pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName(),
                pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels(),
                "Succeeded".equals(phase) || "Failed".equals(phase) || pod.getMetadata().getDeletionTimestamp() != null);
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
