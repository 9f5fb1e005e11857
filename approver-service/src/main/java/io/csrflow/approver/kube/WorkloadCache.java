package io.csrflow.approver.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.approver.ApproverConfig;
import io.csrflow.approver.domain.NodeAddressForms;
import io.csrflow.approver.domain.WorkloadDirectory;
import io.csrflow.service.FollowedInformer;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;
import io.csrflow.service.SlimStore;

/**
 * Pods, Services and EndpointSlices of every namespace from informers whose stores keep only what the
 * workload rule reads ({@link SlimStore}): per Pod its service account, phase, host network, IPs,
 * hostname and subdomain; per Service its cluster IPs; per EndpointSlice its Service, manager and
 * the objects its endpoints point at. Nothing is started when the workload rule is off.
 */
@ApplicationScoped
public class WorkloadCache implements WorkloadDirectory {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    /** What an endpoint points at ({@code targetRef}); kind and name empty when it points at nothing. */
    record Target(String kind, String namespace, String name) {
    }

    /** An EndpointSlice: the Service it belongs to, who manages it, and its endpoints' targets. */
    record Slice(String service, String manager, List<Target> targets) {
    }

    /** A Service: its cluster IPs, canonical. */
    record ClusterIps(List<String> ips) {
    }

    private final KubernetesClient client;
    private final boolean enabled;
    private final SlimStore<Pod, WorkloadPod> pods = podStore();
    private final SlimStore<Service, ClusterIps> services = serviceStore();
    private final SlimStore<EndpointSlice, Slice> slices = new SlimStore<>(WorkloadCache::slice, EndpointSlice::new);
    private volatile List<FollowedInformer<?>> informers = List.of();

    WorkloadCache(KubernetesClient client, ApproverConfig config) {
        this.client = client;
        this.enabled = config.approver().workload().enabled();
    }

    /** Pods, found by name and by IP. */
    static SlimStore<Pod, WorkloadPod> podStore() {
        return new SlimStore<>(WorkloadCache::pod, Pod::new, WorkloadPod::ips);
    }

    /** Services, found by name and by cluster IP. */
    static SlimStore<Service, ClusterIps> serviceStore() {
        return new SlimStore<>(WorkloadCache::clusterIps, Service::new, ClusterIps::ips);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        // Each returns at once; an API server not there yet leaves the cache unsynced (not ready). One
        // started afresh keeps the store: its first list brings it up to date, as a relist does.
        informers = List.of(
                new FollowedInformer<>("Pods", () -> client.pods().inAnyNamespace().runnableInformer(0)
                        .itemStore(pods)).start(),
                new FollowedInformer<>("Services", () -> client.services().inAnyNamespace().runnableInformer(0)
                        .itemStore(services)).start(),
                new FollowedInformer<>("EndpointSlices", () -> client.discovery().v1().endpointSlices()
                        .inAnyNamespace().runnableInformer(0).itemStore(slices)).start());
    }

    /** Whether the workload rule is on, so that its caches matter to readiness. */
    public boolean enabled() {
        return enabled;
    }

    @Override
    public boolean synced() {
        List<FollowedInformer<?>> started = informers;
        // Not while one that stopped for good waits to be started afresh: its cache is frozen, and no evidence.
        return !started.isEmpty() && started.stream().allMatch(FollowedInformer::synced);
    }

    @Override
    public boolean stopped() {
        return informers.stream().anyMatch(FollowedInformer::stopped);
    }

    @Override
    public Optional<WorkloadPod> pod(String namespace, String name) {
        return pods.record(namespace, name);
    }

    @Override
    public List<WorkloadPod> pods(String namespace) {
        return pods.records(namespace).map(Map.Entry::getValue).toList();
    }

    @Override
    public List<WorkloadPod> podsWithIp(String ip) {
        return pods.indexed(NodeAddressForms.canonical(ip)).stream().map(SlimStore.Named::value).toList();
    }

    @Override
    public Optional<WorkloadService> service(String namespace, String name) {
        return services.record(namespace, name).map(ips -> service(namespace, name, ips));
    }

    @Override
    public List<WorkloadService> servicesWithClusterIp(String ip) {
        return services.indexed(NodeAddressForms.canonical(ip)).stream()
                .map(s -> service(s.namespace(), s.name(), s.value())).toList();
    }

    private WorkloadService service(String namespace, String name, ClusterIps ips) {
        List<Endpoint> endpoints = new ArrayList<>();
        slices.records(namespace).filter(s -> name.equals(s.getValue().service())).forEach(s -> {
            for (Target target : s.getValue().targets()) {
                endpoints.add(new Endpoint(s.getKey(), s.getValue().manager(), target.kind(), target.namespace(),
                        target.name()));
            }
        });
        return new WorkloadService(namespace, name, ips.ips(), endpoints);
    }

    static WorkloadPod pod(Pod pod) {
        var spec = pod.getSpec();
        var status = pod.getStatus();
        List<String> ips = new ArrayList<>();
        if (status != null && status.getPodIPs() != null) {
            for (PodIP ip : status.getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().isEmpty()) {
                    ips.add(NodeAddressForms.canonical(ip.getIp()));
                }
            }
        }
        if (ips.isEmpty() && status != null && status.getPodIP() != null && !status.getPodIP().isEmpty()) {
            ips.add(NodeAddressForms.canonical(status.getPodIP()));
        }
        String phase = status == null ? null : status.getPhase();
        String account = spec == null ? null : spec.getServiceAccountName();
        if ((account == null || account.isEmpty()) && spec != null) {
            account = spec.getServiceAccount();
        }
        // The API server defaults an empty service account to "default".
        account = account == null || account.isEmpty() ? "default" : account;
        return new WorkloadPod(intern(pod.getMetadata().getNamespace()), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), intern(account), "Succeeded".equals(phase) || "Failed".equals(phase),
                spec != null && Boolean.TRUE.equals(spec.getHostNetwork()), ips,
                spec == null ? null : spec.getHostname(), spec == null ? null : intern(spec.getSubdomain()));
    }

    static ClusterIps clusterIps(Service service) {
        var spec = service.getSpec();
        List<String> ips = new ArrayList<>();
        if (spec != null) {
            List<String> all = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                    : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            for (String ip : all) {
                if (ip != null && !ip.isEmpty() && !"None".equals(ip)) {
                    ips.add(NodeAddressForms.canonical(ip));
                }
            }
        }
        return new ClusterIps(List.copyOf(ips));
    }

    static Slice slice(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels() == null ? Map.of() : slice.getMetadata().getLabels();
        List<Target> targets = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            slice.getEndpoints().forEach(endpoint -> {
                ObjectReference ref = endpoint.getTargetRef();
                targets.add(ref == null ? new Target("", "", "")
                        : new Target(intern(nonNull(ref.getKind())),
                                intern(ref.getNamespace() == null ? slice.getMetadata().getNamespace() : ref.getNamespace()),
                                nonNull(ref.getName())));
            });
        }
        return new Slice(intern(labels.get(SERVICE_NAME_LABEL)), intern(nonNull(labels.get(MANAGED_BY_LABEL))),
                List.copyOf(targets));
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    private static String intern(String value) {
        return value == null ? null : value.intern();
    }

    @PreDestroy
    void stop() {
        informers.forEach(FollowedInformer::close);
    }
}
