package io.csrflow.fleet;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.csrflow.events.RenewalDue;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The simulated nodes, workloads and pods with pod certificates, started at a steady rate, sharing
 * what their API clients can share ({@link ApiClients}), one timer pool and a pool of keys made ahead.
 * Renewal notices are routed to the node they name.
 */
final class Fleet implements FleetContext, AutoCloseable {
    /** Enough for the starts of a few seconds at the usual rates; more would only hold memory. */
    private static final int KEYS_AHEAD = 64;

    private final FleetSettings settings;
    private final ApiClients clients;
    private final KeyPool ecKeys = new KeyPool("ec-p256", KEYS_AHEAD, KeyMaterial::ecP256);
    private final ScheduledExecutorService scheduler;
    private final CsrRequester requester;
    private final KubernetesClient bootstrapClient;
    private final Map<String, SimulatedKubelet> byUserName = new ConcurrentHashMap<>();
    private final List<SimulatedKubelet> nodes = new ArrayList<>();
    private final List<SimulatedWorkload> workloads = new ArrayList<>();
    private final List<SimulatedPodCertificate> podCertificates = new ArrayList<>();
    private final KubernetesClient adminClient;
    private final AtomicInteger notices = new AtomicInteger();
    private final AtomicInteger foreignNotices = new AtomicInteger();

    Fleet(FleetSettings settings) {
        this.settings = settings;
        AtomicInteger threadNumber = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(settings.threads(), runnable -> {
            Thread thread = new Thread(runnable, "fleet-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.clients = new ApiClients(settings.apiServer(), settings.apiCaFile(), settings.requestTimeout());
        Poller poller = new Poller(scheduler, settings.pollInterval(), settings.requestTimeout());
        this.requester = new CsrRequester(scheduler, new CsrWait(scheduler, settings.pollInterval(),
                settings.requestTimeout()));
        this.bootstrapClient = clients.withToken(settings.bootstrapToken());
        for (int i = 0; i < settings.nodes(); i++) {
            NodeAddresses addresses = NodeAddresses.of(settings.namePrefix(), i);
            String neighbour = NodeAddresses.of(settings.namePrefix(), (i + 1) % settings.nodes()).name();
            SimulatedKubelet kubelet = new SimulatedKubelet(addresses, neighbour, settings.behaviourOf(i), this);
            nodes.add(kubelet);
            byUserName.put(addresses.userName(), kubelet);
        }
        FleetSettings.Workloads w = settings.workloads();
        FleetSettings.PodCertificates p = settings.podCertificates();
        this.adminClient = w.count() == 0 && p.count() == 0 ? null
                : clients.withToken(w.adminToken());
        WorkloadObjects objects = adminClient == null ? null : new WorkloadObjects(adminClient);
        for (int i = 0; i < w.count(); i++) {
            workloads.add(new SimulatedWorkload(WorkloadSpec.of(i, w.count(), w.misbehaving()), objects, this,
                    w.signerName(), w.clusterDomain()));
        }
        PodCertificateRequests requests = new PodCertificateRequests(scheduler, poller);
        for (int i = 0; i < p.count(); i++) {
            podCertificates.add(new SimulatedPodCertificate(PodCertificateSpec.of(i, p.count(), p.misbehaving(),
                    settings.nodes(), settings.namePrefix(), p.keyType()), p, objects, this, requests,
                    name -> byUserName.get(NodeAddresses.USER_PREFIX + name), Clock.systemUTC()));
        }
    }

    /** Starts node after node at {@code startsPerSecond}; returns at once. */
    void start() {
        long gapMicros = (long) (1_000_000 / settings.startsPerSecond());
        for (int i = 0; i < nodes.size(); i++) {
            SimulatedKubelet kubelet = nodes.get(i);
            scheduler.schedule(kubelet::start, i * gapMicros, TimeUnit.MICROSECONDS);
        }
        for (int i = 0; i < workloads.size(); i++) {
            scheduler.schedule(workloads.get(i)::start, i * gapMicros, TimeUnit.MICROSECONDS);
        }
        // A pod's kubelet asks once its node is registered; placing the pods can start at once.
        for (int i = 0; i < podCertificates.size(); i++) {
            scheduler.schedule(podCertificates.get(i)::start, i * gapMicros, TimeUnit.MICROSECONDS);
        }
    }

    /**
     * Hands a renewal notice to the node or workload it is for (a workload knows its certificate by
     * serial); notices for other identities are counted and ignored.
     */
    void onRenewalDue(RenewalDue notice) {
        CertKind kind = CertKind.ofSigner(notice.identity().signerName());
        SimulatedKubelet kubelet = byUserName.get(notice.identity().commonName());
        if (kind != null && kubelet != null) {
            notices.incrementAndGet();
            kubelet.onRenewalDue(kind, notice.serial());
            return;
        }
        if (workloads.stream().anyMatch(workload -> workload.onRenewalDue(notice.serial()))) {
            notices.incrementAndGet();
            return;
        }
        foreignNotices.incrementAndGet();
    }

    FleetReport report() {
        List<NodeReport> reports = nodes.stream().map(SimulatedKubelet::report).toList();
        return FleetReport.of(reports, notices.get(), foreignNotices.get(),
                workloads.stream().map(SimulatedWorkload::report).toList(),
                podCertificates.stream().map(SimulatedPodCertificate::report).toList());
    }

    @Override
    public KubernetesClient bootstrapClient() {
        return bootstrapClient;
    }

    @Override
    public KubernetesClient clientFor(HeldCertificate certificate) {
        return clients.withCertificate(certificate);
    }

    @Override
    public KubernetesClient clientWithToken(String token) {
        return clients.withToken(token);
    }

    @Override
    public KeyMaterial ecP256Key() {
        return ecKeys.take();
    }

    @Override
    public CsrRequester requester() {
        return requester;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Integer expirationSeconds() {
        return settings.lifetime() == null ? null : (int) settings.lifetime().toSeconds();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        nodes.forEach(SimulatedKubelet::stop);
        workloads.forEach(SimulatedWorkload::stop);
        podCertificates.forEach(SimulatedPodCertificate::stop);
        bootstrapClient.close();
        if (adminClient != null) {
            adminClient.close();
        }
        ecKeys.close();
        clients.close();
    }
}
