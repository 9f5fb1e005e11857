package io.csrflow.scheduler;

import static io.csrflow.events.Topics.ISSUED;
import static io.csrflow.events.Topics.OBSERVED;
import static io.csrflow.events.Topics.POD_CERTIFICATES_OBSERVED;
import static io.csrflow.events.Topics.RENEWAL_DUE;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The scheduler's configuration ({@code csrflow.*}); see the README's reference. */
@ConfigMapping(prefix = "csrflow")
public interface SchedulerConfig {
    Topics topics();

    Scheduler scheduler();

    /** Defaults: the event contract's topic names. */
    interface Topics {
        @WithDefault(ISSUED)
        String issued();

        @WithDefault(OBSERVED)
        String observed();

        /** {@code pcr.observed}: PodCertificateRequests, whose issued certificates are pods' certificates. */
        @WithDefault(POD_CERTIFICATES_OBSERVED)
        String podCertificatesObserved();

        @WithDefault(RENEWAL_DUE)
        String renewalDue();
    }

    interface Scheduler {
        /** Kafka Streams application.id: the consumer group, and the prefix of the changelog topics. */
        @WithDefault("csrflow-rotation-scheduler")
        String applicationId();

        /** Where RocksDB keeps the local state; losing it costs a restore from the changelogs, nothing more. */
        @WithDefault("${java.io.tmpdir}/csrflow-rotation-scheduler")
        String stateDir();

        /**
         * This replica's name in the consumer group (Kafka static membership), unique per replica
         * and kept across restarts: the pod name. A replica killed and restarted under the same name
         * takes its partitions back at once, instead of after the broker's session timeout (45 s).
         * Unset: dynamic membership.
         */
        Optional<String> instanceId();

        /**
         * host:port under which the other replicas reach this one's HTTP API, to answer queries
         * about identities on partitions they do not hold.
         */
        @WithDefault("localhost:${quarkus.http.port}")
        String advertisedAddress();

        /**
         * Where the signer's trust bundle ({@code csrflow-ca-bundles}, one {@code <signer>.crt} per
         * signer) is mounted: certificates of csrflow's signer names are tracked only if their CA
         * signed them, and while the bundle is unusable the service is not ready and consumes
         * nothing (see DESIGN.md). Unset: every certificate is believed.
         */
        Optional<java.nio.file.Path> trustBundleDir();

        /** JCA provider that checks signatures against the trust bundle: auto, ACCP, BC or a provider name. */
        @WithDefault("auto")
        String cryptoProvider();

        /** cert-manager's renewBefore: deadline = NotAfter − this. Exclusive with the percentage. */
        Optional<Duration> renewBefore();

        /** cert-manager's renewBeforePercentage: deadline = NotAfter − T·p/100. */
        Optional<Integer> renewBeforePercentage();

        Reminders reminders();

        /** How long an expired certificate stays in the inventory before it is forgotten. */
        @WithDefault("720h")
        Duration expiredRetention();

        /** How often each task reads its deadline index. */
        @WithDefault("1s")
        Duration tick();

        @WithDefault("10000")
        int maxNoticesPerTick();

        Nodes nodes();

        PodCertificates podCertificates();

        /** How long the fleet summary is reused before the inventory is scanned again. */
        @WithDefault("10s")
        Duration summaryCache();

        /**
         * Replication factor of the changelog and repartition topics Kafka Streams creates; -1 takes
         * the broker's default. Production clusters want the contract topics' factor (3).
         */
        @WithDefault("-1")
        int replicationFactor();

        /**
         * Warm copies of each partition's state on other replicas: a failover then needs no
         * restore. 0 keeps one copy (and the changelog).
         */
        @WithDefault("0")
        int standbyReplicas();

        /**
         * Off-heap memory for all state stores together (RocksDB block cache and memtables), in
         * bytes. Size the pod's memory limit as heap + this + ~150 MiB.
         */
        @WithDefault("134217728")
        long rocksdbMemoryBytes();

        /** Further Kafka Streams properties, passed through as given. */
        Map<String, String> streams();
    }

    interface Reminders {
        /** The wait after the first notice; then doubled after each reminder, up to max. */
        @WithDefault("1h")
        Duration first();

        @WithDefault("24h")
        Duration max();
    }

    /**
     * Pods' certificates (kubelet {@code podCertificate} volumes, from PodCertificateRequests). The
     * kubelet refreshes them itself, so no renewal notice is sent; one still the newest of its identity
     * {@code overdue-margin} after its {@code beginRefreshAt} is overdue if its pod still runs (looked
     * up with a GET: needs {@code get} on pods), and dropped if the pod is gone.
     */
    interface PodCertificates {
        /** How long after {@code beginRefreshAt} a newer certificate may take before the old one is overdue. */
        @WithDefault("10m")
        Duration overdueMargin();

        /** Pod lookups (API requests) one tick of one task makes at most; the rest wait for the next tick. */
        @WithDefault("100")
        int checksPerTick();
    }

    interface Nodes {
        /** Follow Node objects and stop tracking the identities of deleted Nodes (needs list/watch on nodes). */
        @WithDefault("true")
        boolean watch();

        /** How long a certificate may exist before its Node does (kubelets get a client certificate first). */
        @WithDefault("15m")
        Duration grace();

        @WithDefault("500")
        int sweepBatch();
    }
}
