package io.csrflow.scheduler;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.jboss.logging.Logger;

import io.csrflow.events.Topics;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.nodes.KubeNodeDirectory;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.inventory.OverduePlan;
import io.csrflow.scheduler.pods.KubePodDirectory;
import io.csrflow.scheduler.streams.BoundedRocksDbMemory;
import io.csrflow.scheduler.streams.SchedulerSettings;
import io.csrflow.scheduler.streams.SchedulerStreams;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.csrflow.pki.CryptoProviders;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.csrflow.service.CsrTracing;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/** Builds the topology's settings from configuration and runs it for the life of the service. */
@ApplicationScoped
public class SchedulerRuntime {
    private static final Logger LOG = Logger.getLogger(SchedulerRuntime.class);
    /** The consumer name in the dead-letter topic's name ({@code csrflow.<consumer>.dlq}). */
    public static final String CONSUMER = "rotation-scheduler";

    private final SchedulerConfig config;
    private final SchedulerSettings settings;
    /** Every {@code kafka.*} setting (KAFKA_* variables): bootstrap servers, TLS, SASL, as the other services use them. */
    private final Map<String, Object> kafkaClient;
    private final Clock clock;
    private final MeterRegistry registry;
    private final CsrTracing tracing;
    private final Instance<KubernetesClient> kubernetes;
    private NodeDirectory nodes = NodeDirectory.NONE;
    private KubePodDirectory pods;
    private SchedulerStreams streams;

    SchedulerRuntime(SchedulerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaClient,
            Clock clock, MeterRegistry registry, Instance<KubernetesClient> kubernetes, CsrTracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.kafkaClient = Map.copyOf(kafkaClient);
        this.clock = clock;
        this.registry = registry;
        this.kubernetes = kubernetes;
        SchedulerConfig.Scheduler s = config.scheduler();
        NoticePlan notices = new NoticePlan(s.reminders().first(), s.reminders().max(), s.expiredRetention());
        this.settings = new SchedulerSettings(
                new SchedulerSettings.Topics(config.topics().issued(), config.topics().observed(),
                        config.topics().podCertificatesObserved(), config.topics().renewalDue(),
                        Topics.deadLetter(CONSUMER)),
                "/csrflow/" + CONSUMER,
                DeadlinePolicy.of(s.renewBefore(), s.renewBeforePercentage()),
                notices,
                s.tick(), s.maxNoticesPerTick(), s.nodes().grace(), s.nodes().sweepBatch(),
                s.trustBundleDir().map(dir -> CertificateTrust.fromDirectory(dir,
                        CryptoProviders.named(s.cryptoProvider(), "csrflow.scheduler.crypto-provider")))
                        .orElse(CertificateTrust.NONE),
                new OverduePlan(s.podCertificates().overdueMargin(), notices),
                s.podCertificates().checksPerTick());
        registerSignatureChecks(settings.trust(), registry);
    }

    /**
     * How signature checks against the trust bundle passed: verified now, or remembered (the same
     * certificate verified before by a CA still in the bundle). Both stay 0 without a bundle.
     */
    private static void registerSignatureChecks(CertificateTrust trust, MeterRegistry registry) {
        String description = "signature checks against the trust bundle that passed, by how";
        FunctionCounter.builder("csrflow.scheduler.trust.signatures", trust, CertificateTrust::signaturesVerified)
                .tag("check", "verified").description(description).register(registry);
        FunctionCounter.builder("csrflow.scheduler.trust.signatures", trust, CertificateTrust::signaturesRemembered)
                .tag("check", "remembered").description(description).register(registry);
    }

    void start(@Observes StartupEvent event) {
        SchedulerConfig.Scheduler s = config.scheduler();
        if (s.nodes().watch()) {
            nodes = new KubeNodeDirectory(kubernetes.get(), clock);
        }
        Map<String, Object> props = new HashMap<>(kafkaClient);
        props.putAll(s.streams());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, s.advertisedAddress());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, s.replicationFactor());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbyReplicas());
        props.put(BoundedRocksDbMemory.TOTAL_BYTES, s.rocksdbMemoryBytes());
        // Kafka Streams appends the stream thread's index to make each consumer's id.
        s.instanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        LOG.infof("deadlines: %s; reminders after %s doubling to %s", settings.deadlines().describe(),
                s.reminders().first(), s.reminders().max());
        if (!settings.trust().enabled()) {
            LOG.warn("csrflow.scheduler.trust-bundle-dir is not set: every certificate on cert.issued, "
                    + "csr.observed and pcr.observed is believed, so whoever may write to those topics can cancel a real "
                    + "certificate's renewal notices with a forged newer one");
        }
        LOG.infof("pod certificates: overdue %s after beginRefreshAt while their pods run (looked up in the API)",
                s.podCertificates().overdueMargin());
        // Asks the API only when a pod certificate is overdue: no informer, no connection before that.
        pods = new KubePodDirectory(kubernetes.get());
        streams = new SchedulerStreams(props, settings, nodes, pods, clock, registry, tracing).start();
        registry.gauge("csrflow.scheduler.restored.records", streams, st -> st.status().restoredRecords());
    }

    public SchedulerStreams streams() {
        return streams;
    }

    public SchedulerSettings settings() {
        return settings;
    }

    public String advertisedAddress() {
        return config.scheduler().advertisedAddress();
    }

    @PreDestroy
    void stop() {
        if (streams != null) {
            streams.close();
        }
        if (nodes instanceof KubeNodeDirectory k) {
            k.close();
        }
        if (pods != null) {
            pods.close();
        }
    }
}
