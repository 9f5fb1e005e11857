package io.csrflow.scheduler.streams;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.jboss.logging.Logger;

import io.csrflow.scheduler.inventory.TrustUnavailableException;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.PodDirectory;
import io.csrflow.scheduler.query.LocalInventory;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;

/**
 * Runs the renewal topology: waits until the topics exist (a missing topic is a readiness
 * message, not a crash loop), then starts Kafka Streams with exactly-once processing and reports
 * its state and state-restore progress. With a trust bundle configured, processing is paused
 * whenever the bundle is unusable and resumed when it is back: records whose certificates cannot
 * be checked stay in their topics, uncommitted, rather than being believed or dead-lettered.
 */
public final class SchedulerStreams implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SchedulerStreams.class);
    /** A topic created alongside the deployment is found within seconds; a longer wait asks at most every 5 s. */
    private static final Backoff TOPIC_RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Backoff TRUST_CHECK = Backoff.constant(Duration.ofSeconds(1));

    /** What {@link #status()} reports: a phase and, while not running, why. */
    public record Status(String phase, String detail, long restoredRecords, boolean running) {
    }

    private final Properties config;
    private final SchedulerSettings settings;
    private final NodeDirectory nodes;
    private final PodDirectory pods;
    private final Clock clock;
    private final SchedulerMeters meters;
    private final MeterRegistry registry;
    private final CsrTracing tracing;
    private final AtomicLong restored = new AtomicLong();
    private final Thread starter;
    private volatile KafkaStreams streams;
    private volatile String waitingFor = "starting";
    private volatile int identityPartitions;
    private volatile boolean closed;

    /** {@code config} holds at least bootstrap.servers and application.id; the rest has safe defaults. */
    public SchedulerStreams(Map<String, ?> config, SchedulerSettings settings, NodeDirectory nodes, PodDirectory pods,
            Clock clock, MeterRegistry registry, CsrTracing tracing) {
        this.tracing = tracing;
        this.config = defaults(config);
        this.settings = settings;
        this.nodes = nodes;
        this.pods = pods;
        this.clock = clock;
        this.meters = new SchedulerMeters(registry);
        this.registry = registry;
        this.starter = new Thread(this::startWhenTopicsExist, "scheduler-streams-starter");
        this.starter.setDaemon(true);
    }

    private static Properties defaults(Map<String, ?> given) {
        Properties p = new Properties();
        // Exactly-once: a notice and the state change that records it commit together.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Kafka Streams keeps a closing member in the group until its session times out (45 s),
        // and the deadlines of its partitions would wait that long; a replica that stops cleanly
        // (scale-down, rolling update) leaves at once instead, and its partitions move now.
        p.put(StreamsConfig.consumerPrefix("internal.leave.group.on.close"), true);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        p.putAll(given);
        return p;
    }

    public SchedulerStreams start() {
        starter.start();
        return this;
    }

    private void startWhenTopicsExist() {
        for (int attempt = 0; !closed; attempt++) {
            try {
                identityPartitions = partitionsOfInputs();
                break;
            } catch (MissingTopicException e) {
                waitingFor = e.getMessage();
                LOG.warnf("%s; retrying in %ds", e.getMessage(), TOPIC_RETRY.delay(attempt).toSeconds());
            } catch (Exception e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                waitingFor = "cannot reach Kafka: " + root.getMessage();
                LOG.warnf("cannot reach Kafka to check topics (%s); retrying", root.getMessage());
            }
            if (!TOPIC_RETRY.pause(attempt)) {
                return; // close() interrupts: nothing to start
            }
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            KafkaStreams created = new KafkaStreams(
                    RenewalTopology.build(settings, identityPartitions, nodes, pods, clock, meters, tracing), config);
            created.setGlobalStateRestoreListener(new RestoreCounter());
            created.setUncaughtExceptionHandler(e -> {
                TrustUnavailableException untrusted = causeOf(e);
                if (untrusted == null) {
                    LOG.error("stream thread failed; replacing it (the task restarts from its last commit)", e);
                } else {
                    // The bundle became unusable between two checks of followTrustBundle: pause now,
                    // or the replacement thread would fail on the same record.
                    created.pause();
                    LOG.warnf("%s; paused until the trust bundle is usable (the task restarts from its last commit)",
                            untrusted.getMessage());
                }
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            created.setStateListener((now, before) -> LOG.infof("Kafka Streams %s -> %s", before, now));
            new KafkaStreamsMetrics(created).bindTo(registry);
            waitingFor = null;
            String untrusted = settings.trust().problem();
            if (untrusted != null) {
                LOG.warnf("%s; not consuming until the trust bundle is usable", untrusted);
                created.pause();
            }
            created.start();
            streams = created;
        }
        if (settings.trust().enabled()) {
            followTrustBundle();
        }
    }

    /**
     * Pauses processing while the trust bundle is unusable and resumes it once it is usable again.
     * Pausing, not closing, keeps this replica's partitions and state: the usual cause is a
     * ConfigMap not (yet) mounted, which every replica sees alike, so another replica could not do
     * better. While paused no record is consumed and no notice is sent; the notices that came due
     * meanwhile leave at the first tick after the resume.
     */
    private void followTrustBundle() {
        while (!closed && TRUST_CHECK.pause(0)) {
            String untrusted = settings.trust().problem();
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (untrusted != null && !streams.isPaused()) {
                    LOG.warnf("%s; not consuming until the trust bundle is usable", untrusted);
                    streams.pause();
                } else if (untrusted == null && streams.isPaused()) {
                    LOG.infof("trust bundle usable again (%s); consuming", settings.trust().describe());
                    streams.resume();
                }
            }
        }
    }

    private static TrustUnavailableException causeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TrustUnavailableException untrusted) {
                return untrusted;
            }
        }
        return null;
    }

    private int partitionsOfInputs() throws InterruptedException, ExecutionException, TimeoutException {
        // The streams' own connection settings (bootstrap servers, TLS, SASL) are the admin's too.
        Properties adminConfig = new Properties();
        config.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key.toString())) {
                adminConfig.put(key, value);
            }
        });
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        SchedulerSettings.Topics topics = settings.topics();
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> needed = List.of(topics.issued(), topics.observed(), topics.podCertificates(),
                    topics.renewalDue(), topics.deadLetter());
            Map<String, TopicDescription> found;
            try {
                found = admin.describeTopics(needed).allTopicNames().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new MissingTopicException("waiting for topics " + needed + ": "
                            + e.getCause().getMessage());
                }
                throw e;
            }
            return found.get(topics.issued()).partitions().size();
        }
    }

    /** The running instance, or null while waiting for topics or after close. */
    public KafkaStreams streams() {
        return streams;
    }

    /** The inventory partitions this instance holds; throws if Kafka Streams is not running. */
    public LocalInventory localInventory() {
        KafkaStreams s = streams;
        if (s == null) {
            throw new IllegalStateException("Kafka Streams has not started");
        }
        return new LocalInventory(s, settings.topics().issued());
    }

    public Status status() {
        KafkaStreams s = streams;
        String untrusted = settings.trust().problem();
        if (s == null) {
            return new Status(closed ? "CLOSED" : "WAITING",
                    untrusted == null ? waitingFor : waitingFor + "; " + untrusted, restored.get(), false);
        }
        KafkaStreams.State state = s.state();
        if ((untrusted != null || s.isPaused()) && state.isRunningOrRebalancing()) {
            return new Status("PAUSED", "not consuming: " + (untrusted == null ? "resuming" : untrusted),
                    restored.get(), false);
        }
        String detail = switch (state) {
            case REBALANCING -> "assigning partitions or restoring state";
            case ERROR, PENDING_ERROR -> "every stream thread has died; see the log";
            default -> null;
        };
        return new Status(state.name(), detail, restored.get(), state == KafkaStreams.State.RUNNING);
    }

    /** True when the instance is beyond recovery and the process should be restarted. */
    public boolean failed() {
        KafkaStreams s = streams;
        return s != null && (s.state() == KafkaStreams.State.ERROR || s.state() == KafkaStreams.State.PENDING_ERROR);
    }

    @Override
    public synchronized void close() {
        closed = true;
        starter.interrupt();
        if (streams != null) {
            // A static member (group.instance.id) is not removed by the consumer's leave on close:
            // leaveGroup has Kafka Streams remove it through the admin client, so a replica that
            // stops cleanly hands its partitions over at once either way.
            streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
        }
    }

    private static final class MissingTopicException extends RuntimeException {
        MissingTopicException(String message) {
            super(message);
        }
    }

    /** Counts restored changelog records, for health details and the restore benchmark. */
    private final class RestoreCounter implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
            LOG.debugf("restoring %s from %s: %d records", store, partition, end - start);
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long numRestored) {
            restored.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            if (totalRestored > 0) {
                LOG.infof("restored %s from %s: %d records", store, partition, totalRestored);
            }
        }
    }
}
