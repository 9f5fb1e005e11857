package io.csrflow.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.csrflow.events.RenewalDue;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;

/**
 * The simulated nodes, workloads and pods with pod certificates, started at a steady rate, sharing
 * one HTTP client factory (one event loop for the whole fleet) and one timer pool. Renewal notices
 * are routed to the node they name.
 */
final class Fleet implements FleetContext, AutoCloseable {
    private final FleetSettings settings;
    private final HttpClient.Factory httpClients = new VertxHttpClientFactory();
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
        Poller poller = new Poller(scheduler, settings.pollInterval(), settings.requestTimeout());
        this.requester = new CsrRequester(scheduler, poller);
        this.bootstrapClient = build(base().withOauthToken(settings.bootstrapToken()).build());
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
                : build(base().withOauthToken(w.adminToken()).build());
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

    private ConfigBuilder base() {
        ConfigBuilder builder = new ConfigBuilder(Config.empty()).withMasterUrl(settings.apiServer())
                .withRequestTimeout((int) settings.requestTimeout().toMillis());
        if (settings.apiCaFile() == null) {
            return builder.withTrustCerts(true).withDisableHostnameVerification(true);
        }
        try {
            return builder.withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(settings.apiCaFile())));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the API server's CA " + settings.apiCaFile() + ": "
                    + e.getMessage(), e);
        }
    }

    private KubernetesClient build(Config config) {
        return new KubernetesClientBuilder().withHttpClientFactory(httpClients).withConfig(config).build();
    }

    @Override
    public KubernetesClient bootstrapClient() {
        return bootstrapClient;
    }

    @Override
    public KubernetesClient clientFor(HeldCertificate certificate) {
        return build(base()
                .withClientCertData(Base64.getEncoder().encodeToString(certificate.certificatePem().getBytes()))
                .withClientKeyData(Base64.getEncoder().encodeToString(certificate.key().privateKeyPem().getBytes()))
                .withClientKeyAlgo(certificate.key().algorithm())
                .build());
    }

    @Override
    public KubernetesClient clientWithToken(String token) {
        return build(base().withOauthToken(token).build());
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
    }
}
