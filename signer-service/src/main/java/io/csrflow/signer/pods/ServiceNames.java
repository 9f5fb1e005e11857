package io.csrflow.signer.pods;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The DNS names of the Services a pod backs, by the rule the approver applies to workload CSRs: a
 * Service's names belong to a service account when every endpoint of the Service is a pod of that
 * service account in the Service's namespace, listed by a slice whose manager is trusted (the
 * EndpointSlice controller writes what the selector selects; anyone else's slice says only what its
 * writer wanted). A Service that also selects other pods, or whose slice is not trusted, gives no
 * names and is mentioned, so that the Issued message says why a name is missing. The API server's own
 * Service ({@code default/kubernetes}) and the operator's reserved names are never given, as the
 * approver never certifies them. Two names per Service, {@code dnsNames} in the order of {@code services}.
 */
final class ServiceNames {
    private static final String API_SERVER = "default/kubernetes";

    record Found(List<String> dnsNames, List<String> services, List<String> left) {
    }

    private ServiceNames() {
    }

    static Found of(String namespace, String podName, String serviceAccount, PodNeighbourhood around,
            PodCertificateSettings settings) {
        Map<String, List<PodNeighbourhood.Endpoint>> byService = new TreeMap<>();
        for (PodNeighbourhood.Endpoint endpoint : around.endpoints()) {
            byService.computeIfAbsent(endpoint.service(), s -> new ArrayList<>()).add(endpoint);
        }
        List<String> names = new ArrayList<>();
        List<String> entitled = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (Map.Entry<String, List<PodNeighbourhood.Endpoint>> service : byService.entrySet()) {
            List<PodNeighbourhood.Endpoint> endpoints = service.getValue();
            if (endpoints.stream().noneMatch(e -> isPod(e, namespace, podName))) {
                continue;
            }
            String label = "Service " + namespace + "/" + service.getKey();
            String name = service.getKey();
            List<String> forms = List.of(name + "." + namespace + ".svc." + settings.clusterDomain(),
                    name + "." + namespace + ".svc");
            String why = refusal(namespace, serviceAccount, endpoints, around, settings.endpointSliceManagers());
            if (!around.services().contains(service.getKey())) {
                why = "does not exist";
            } else if (API_SERVER.equals(namespace + "/" + name)) {
                why = "is the API server's";
            } else if (forms.stream().anyMatch(settings.reservedNames()::contains)) {
                why = "has a reserved name (pod-certificates.reserved-names)";
            }
            if (why != null) {
                left.add(label + " " + why);
                continue;
            }
            entitled.add(label);
            names.addAll(forms);
        }
        return new Found(names, entitled, left);
    }

    private static String refusal(String namespace, String serviceAccount, List<PodNeighbourhood.Endpoint> endpoints,
            PodNeighbourhood around, Set<String> managers) {
        Set<String> others = new TreeSet<>();
        for (PodNeighbourhood.Endpoint endpoint : endpoints) {
            // serviceAccountOfPod holds the pods of this service account (the rest were not read).
            if (!managers.contains(endpoint.manager())) {
                return "has EndpointSlice " + endpoint.slice() + " managed by "
                        + (endpoint.manager().isEmpty() ? "no controller" : endpoint.manager()) + ", not by "
                        + String.join(" or ", new TreeSet<>(managers));
            }
            if (!"Pod".equals(endpoint.targetKind()) || !namespace.equals(endpoint.targetNamespace())) {
                return "has an endpoint that is not a Pod of " + namespace;
            }
            String account = around.serviceAccountOfPod().get(endpoint.targetName());
            if (account == null || !account.equals(serviceAccount)) {
                others.add(endpoint.targetName());
            }
        }
        return others.isEmpty() ? null : "also selects pods that do not run as service account " + serviceAccount
                + " (" + String.join(", ", others) + ")";
    }

    private static boolean isPod(PodNeighbourhood.Endpoint endpoint, String namespace, String podName) {
        return "Pod".equals(endpoint.targetKind()) && namespace.equals(endpoint.targetNamespace())
                && podName.equals(endpoint.targetName());
    }
}
