package io.csrflow.scheduler.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.RenewalDue;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.PodDirectory;
import io.csrflow.scheduler.inventory.OverduePlan;
import io.csrflow.scheduler.streams.SchedulerSettings;
import io.csrflow.scheduler.streams.SchedulerStreams;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.service.CsrTracing;

/**
 * Fleet scale, measured and printed (never asserted against a time): N certificates into the
 * inventory through a broker in its own process, then memory per certificate, how late each of a
 * batch of due certificates leaves, and how long a replica with an empty disk takes to restore.
 * Runs small in the normal build (so it keeps working); at fleet scale with
 * {@code -Dscheduler.benchmark.certificates=1000000} (see the module README).
 */
class InventoryScaleBenchmark {
    static final int CERTIFICATES = Integer.getInteger("scheduler.benchmark.certificates", 20_000);
    static final int DUE_BATCH = Math.min(20_000, Math.max(1_000, CERTIFICATES / 50));
    static final int PARTITIONS = 6;
    /** Due deadlines spread over [start, start + span) after sending; short in the normal build. */
    static final long DUE_START_MS = CERTIFICATES >= 100_000 ? 20_000 : 5_000;
    static final long DUE_SPAN_MS = CERTIFICATES >= 100_000 ? 60_000 : 10_000;
    static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    static final Duration YEAR = Duration.ofDays(365);

    private final List<String> report = new ArrayList<>();

    @Test
    void fleetScale() throws Exception {
        try (KafkaProcess broker = new KafkaProcess().start()) {
            String bootstrap = broker.bootstrapServers();
            SchedulerSettings settings = settings();
            var t = settings.topics();
            KafkaBrokers.createTopics(bootstrap, PARTITIONS, List.of(t.issued(), t.observed(), t.podCertificates(),
                    t.renewalDue()));
            KafkaBrokers.createTopics(bootstrap, 1, List.of(t.deadLetter()));
            String applicationId = "scheduler-bench-" + UUID.randomUUID().toString().substring(0, 8);

            line("certificates %,d; partitions %d; tick %s; exactly-once; cores %d; max heap %d MiB", CERTIFICATES,
                    PARTITIONS, settings.tick().toMillis() + " ms", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20);
            long heapBefore = usedHeapAfterGc();
            long rssBefore = rss();

            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            Path stateDir = Files.createTempDirectory("scheduler-bench");
            SchedulerStreams first = start(bootstrap, applicationId, stateDir, settings, meters);

            long sendStart = System.nanoTime();
            int sent = produce(bootstrap, t.issued(), CERTIFICATES - DUE_BATCH, false);
            double sendSeconds = seconds(sendStart);
            // Bounded by the size (at 500/s, 30 times slower than measured), so a broken run fails fast.
            await().atMost(Duration.ofSeconds(60 + CERTIFICATES / 500)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> tracked(meters) >= sent);
            double ingestSeconds = seconds(sendStart);
            line("produced %,d cert.issued in %.1f s; all tracked after %.1f s (%,.0f certificates/s)", sent,
                    sendSeconds, ingestSeconds, sent / ingestSeconds);

            long heapAfter = usedHeapAfterGc();
            long rssAfter = rss();
            long disk = size(stateDir);
            line("heap after GC +%,d MiB (%,d B per certificate); process RSS +%,d MiB (%,d B per certificate, "
                    + "RocksDB is off-heap); state on disk %,d MiB (%,d B per certificate)",
                    (heapAfter - heapBefore) >> 20, (heapAfter - heapBefore) / sent, (rssAfter - rssBefore) >> 20,
                    (rssAfter - rssBefore) / sent, disk >> 20, disk / sent);

            List<Long>[] lateness = dueBatchLateness(bootstrap, t.issued(), t.renewalDue());
            line("lateness of %,d notices, scheduler (emittedAt - deadline): %s", DUE_BATCH, percentiles(lateness[0]));
            line("lateness of %,d notices, consumer (read_committed arrival - deadline): %s", DUE_BATCH,
                    percentiles(lateness[1]));

            first.close();
            long restoreStart = System.nanoTime();
            SchedulerStreams fresh = start(bootstrap, applicationId, Files.createTempDirectory("scheduler-bench"),
                    settings, new SimpleMeterRegistry());
            double restoreSeconds = seconds(restoreStart);
            long restored = fresh.status().restoredRecords();
            line("restore onto an empty disk: RUNNING after %.1f s, %,d changelog records (%,.0f records/s)",
                    restoreSeconds, restored, restored / restoreSeconds);
            assertEquals(CERTIFICATES, fresh.localInventory().page(null, Integer.MAX_VALUE, x -> true).size(),
                    "every certificate is back after the restore");
            fresh.close();

            long warmStart = System.nanoTime();
            SchedulerStreams warm = start(bootstrap, applicationId, stateDir, settings, new SimpleMeterRegistry());
            line("restart on its own disk (checkpointed): RUNNING after %.1f s, %,d records restored",
                    seconds(warmStart), warm.status().restoredRecords());
            warm.close();
        } finally {
            Path out = Path.of("target", "scheduler-benchmark.txt");
            Files.createDirectories(out.getParent());
            Files.write(out, report);
            System.out.println("\n=== rotation-scheduler fleet benchmark ===\n" + String.join("\n", report) + "\n");
        }
    }

    /** The service's defaults, but for topic names. */
    private static SchedulerSettings settings() {
        NoticePlan notices = new NoticePlan(Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(30));
        return new SchedulerSettings(new SchedulerSettings.Topics("bench.issued", "bench.observed", "bench.pcr-observed",
                "bench.renewal-due", "bench.dlq"), "/csrflow/rotation-scheduler-bench", new DeadlinePolicy.KubeletJitter(),
                notices, Duration.ofSeconds(1), 10_000, Duration.ofMinutes(15), 500, CertificateTrust.NONE,
                new OverduePlan(Duration.ofMinutes(10), notices), 100);
    }

    private static SchedulerStreams start(String bootstrap, String applicationId, Path stateDir,
            SchedulerSettings settings, SimpleMeterRegistry meters) {
        SchedulerStreams s = new SchedulerStreams(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                StreamsConfig.APPLICATION_ID_CONFIG, applicationId, StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()),
                settings, NodeDirectory.NONE, PodDirectory.NONE, Clock.systemUTC(), meters, CsrTracing.off()).start();
        await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100)).until(() -> s.status().running());
        return s;
    }

    /**
     * Sends certificates. Far ones have deadlines months ahead (issued up to 200 days ago, one-year
     * lifetime); due ones are back-dated so that their deadlines spread over the next minute or so.
     */
    private static int produce(String bootstrap, String topic, int count, boolean dueSoon) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        EventCodec codec = new EventCodec("/bench", Clock.systemUTC());
        DeadlinePolicy policy = new DeadlinePolicy.KubeletJitter();
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String node = (dueSoon ? "soon-" : "node-") + i;
                String serial = Long.toHexString((dueSoon ? 0x7000_0000_0000L : 0) + i * 0x9E3779B97F4AL + 1);
                Instant notBefore;
                if (dueSoon) {
                    Instant target = now.plusMillis(DUE_START_MS + (long) ((double) DUE_SPAN_MS * i / count));
                    Duration offset = Duration.between(Instant.EPOCH, policy.deadline(serial, Instant.EPOCH,
                            Instant.EPOCH.plus(YEAR)));
                    notBefore = target.minus(offset);
                } else {
                    notBefore = now.minus(Duration.ofMinutes((long) (i * 7919L % (200L * 24 * 60))));
                }
                CertIssued cert = new CertIssued(new Identity(SIGNER, "system:node:" + node), "csr-" + node,
                        "uid-" + i, "CN=system:node:" + node + ",O=system:nodes", List.of(), List.of(), serial,
                        notBefore, notBefore.plus(YEAR), "00", "CN=bench-ca", "-----BEGIN CERTIFICATE-----", now);
                producer.send(codec.encode(EventType.CERT_ISSUED, cert).toProducerRecord(topic));
            }
            producer.flush();
        }
        return count;
    }

    /** Sends the due batch and measures, per notice, emittedAt − deadline and arrival − deadline (ms). */
    @SuppressWarnings("unchecked")
    private static List<Long>[] dueBatchLateness(String bootstrap, String issued, String renewalDue) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Long> emitted = new ArrayList<>();
        List<Long> arrived = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(renewalDue));
            produce(bootstrap, issued, DUE_BATCH, true);
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (arrived.size() < DUE_BATCH && System.nanoTime() < end) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    RenewalDue due = EventCodec.decode(EventType.RENEWAL_DUE, record.headers(), record.value()).data();
                    emitted.add(due.emittedAt().toEpochMilli() - due.deadline().toEpochMilli());
                    arrived.add(now - due.deadline().toEpochMilli());
                }
            }
        }
        assertEquals(DUE_BATCH, arrived.size(), "every due certificate got its notice");
        return new List[] {emitted, arrived};
    }

    private static String percentiles(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "p50 %d ms, p99 %d ms, max %d ms", at(sorted, 0.50), at(sorted, 0.99),
                sorted.get(sorted.size() - 1));
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }

    private static long tracked(SimpleMeterRegistry meters) {
        var c = meters.find("csrflow.scheduler.sightings").tag("result", "tracked").counter();
        return c == null ? 0 : (long) c.count();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Resident set size of this JVM, from /proc (Linux), in bytes; 0 elsewhere. */
    private static long rss() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long size(Path dir) throws IOException {
        AtomicLong total = new AtomicLong();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    total.addAndGet(Files.size(f));
                } catch (IOException e) {
                    // a RocksDB file compacted away meanwhile
                }
            });
        }
        return total.get();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.ROOT, format, args);
        report.add(text);
        System.out.println("[benchmark] " + text);
    }
}
