package io.csrflow.approver.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Pods, Services and EndpointSlices as the informer caches would show them. */
final class Workloads implements WorkloadDirectory {
    static final String CONTROLLER = "endpointslice-controller.k8s.io";

    final Map<String, WorkloadPod> pods = new LinkedHashMap<>();
    final Map<String, List<String>> clusterIps = new LinkedHashMap<>();
    final Map<String, List<Endpoint>> endpoints = new LinkedHashMap<>();
    boolean synced = true;
    boolean stopped;

    Workloads pod(String namespace, String name, String serviceAccount, String... ips) {
        return put(new WorkloadPod(namespace, name, "uid-" + name, serviceAccount, false, false,
                Stream.of(ips).map(NodeAddressForms::canonical).toList(), null, null));
    }

    Workloads put(WorkloadPod pod) {
        pods.put(pod.namespace() + "/" + pod.name(), pod);
        return this;
    }

    /** A Service with this cluster IP (null: headless) whose controller-managed slice lists these pods. */
    Workloads service(String namespace, String name, String clusterIp, String... podNames) {
        clusterIps.put(namespace + "/" + name, clusterIp == null ? List.of() : List.of(clusterIp));
        endpoints.put(namespace + "/" + name, new ArrayList<>());
        for (String pod : podNames) {
            endpoint(namespace, name, CONTROLLER, "Pod", pod);
        }
        return this;
    }

    Workloads endpoint(String namespace, String service, String manager, String kind, String target) {
        endpoints.get(namespace + "/" + service).add(new Endpoint(service + "-abcde", manager, kind,
                kind.isEmpty() ? "" : namespace, target));
        return this;
    }

    @Override
    public Optional<WorkloadPod> pod(String namespace, String name) {
        return Optional.ofNullable(pods.get(namespace + "/" + name));
    }

    @Override
    public List<WorkloadPod> pods(String namespace) {
        return pods.values().stream().filter(p -> p.namespace().equals(namespace)).toList();
    }

    @Override
    public List<WorkloadPod> podsWithIp(String ip) {
        return pods.values().stream().filter(p -> p.ips().contains(NodeAddressForms.canonical(ip))).toList();
    }

    @Override
    public Optional<WorkloadService> service(String namespace, String name) {
        String key = namespace + "/" + name;
        return clusterIps.containsKey(key) ? Optional.of(new WorkloadService(namespace, name, clusterIps.get(key),
                endpoints.get(key))) : Optional.empty();
    }

    @Override
    public List<WorkloadService> servicesWithClusterIp(String ip) {
        return clusterIps.entrySet().stream().filter(e -> e.getValue().contains(NodeAddressForms.canonical(ip)))
                .map(e -> service(e.getKey().split("/")[0], e.getKey().split("/")[1]).orElseThrow()).toList();
    }

    @Override
    public boolean synced() {
        return synced && !stopped;
    }

    @Override
    public boolean stopped() {
        return stopped;
    }
}
