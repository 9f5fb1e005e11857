package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.testsupport.JavaProcess;

/**
 * The end-to-end benchmark: N kubelets bootstrap (client CSR, Node, serving CSR) through the broker,
 * the API emulator and the four services, each a process. Prints CSRs per second, latency from the
 * CSR's first sighting to its certificate with the stages it went through, CPU and memory per
 * service, and API requests per issued certificate by caller. Every build runs it with 50 nodes, so
 * that it keeps working (it asserts only that every node got its certificates, never a time); at
 * scale, run
 * <pre>
 * mvn -B -ntp verify -pl tools/e2e -Dit.test=BootstrapBenchmark -Dcsrflow.bench.nodes=500
 * </pre>
 * (two CSRs per node). The report is also written to {@code target/bootstrap-benchmark.txt}.
 */
class BootstrapBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = Integer.getInteger("csrflow.bench.nodes", 50);
    private static final String RATE = System.getProperty("csrflow.bench.starts-per-second", "10");
    private static final String POLL = System.getProperty("csrflow.bench.poll-interval", "5s");
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    /** csrflow's services, then what stands in for the cluster: the API and the kubelets. */
    private static final List<String> CSRFLOW = List.of("csr-watcher", "approver-service", "signer-service",
            "rotation-scheduler");
    private static final List<String> PROCESSES = Stream.concat(CSRFLOW.stream(),
            Stream.of("kube-emulator", "fleet-simulator")).toList();

    @TempDir
    Path dir;

    @Test
    void bootstrapTheFleet() throws Exception {
        try (LocalSystem system = new LocalSystem(dir).startPlatform(Map.of(), Map.of())) {
            Map<String, double[]> before = usage(system);
            JsonNode requestsBefore = requests(system);
            long started = System.nanoTime();
            UsageSamples samples = UsageSamples.every(Timeline.WINDOW_MILLIS, () -> usage(system));
            system.startFleetWithHeap("2g", "--nodes", Integer.toString(NODES), "--starts-per-second", RATE, "--poll-interval", POLL,
                    "--lifetime", "24h", "--request-timeout", "60m", "--threads", "8", "--progress", "10s");
            await().atMost(Duration.ofSeconds(600 + NODES)).pollInterval(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() ->
                    fleetMetric(system, "csrflow_fleet_nodes_ready") + fleetMetric(system, "csrflow_fleet_nodes_failed")
                            >= NODES);
            double wall = (System.nanoTime() - started) / 1e9;
            samples.stop();
            assertEquals(0, fleetMetric(system, "csrflow_fleet_nodes_failed"), "nodes that failed to bootstrap");
            Map<String, double[]> after = usage(system);
            JsonNode requestsAfter = requests(system);
            String report = report(system, wall, before, after, requestsBefore, requestsAfter, samples);
            System.out.println(report);
            Files.writeString(Path.of("target", "bootstrap-benchmark.txt"), report);
        }
    }

    private static String report(LocalSystem system, double wall, Map<String, double[]> before,
            Map<String, double[]> after, JsonNode requestsBefore, JsonNode requestsAfter, UsageSamples samples) {
        Timeline timeline = Timeline.read(system.kafka.bootstrapServers());
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n== bootstrap benchmark: %d nodes, %s starts/s, polls up to %s apart, %d CSRs issued ==%n",
                NODES, RATE, POLL, timeline.issued()));
        out.append(String.format("wall time to all nodes ready  %8.1f s%n", wall));
        out.append(String.format("throughput (first sighting to last certificate)  %8.1f CSRs/s%n",
                timeline.throughput()));
        out.append(timeline.latencies());
        out.append(String.format("%n%-20s %12s %14s %12s%n", "process", "CPU s", "CPU s per CSR", "peak RSS MiB"));
        for (String service : PROCESSES) {
            double cpu = after.get(service)[0] - before.getOrDefault(service, new double[2])[0];
            out.append(String.format("%-20s %12.1f %14.4f %12.0f%n", service, cpu, cpu / Math.max(1, timeline.issued()),
                    after.get(service)[1] / 1024));
        }
        out.append(samples.perCertificate(timeline));
        out.append(String.format("%nKubernetes API requests per issued certificate, by caller%n"));
        Map<String, Map<String, Long>> byUser = delta(requestsBefore, requestsAfter);
        byUser.forEach((user, counts) -> {
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            out.append(String.format("  %-32s %8.2f  (%s)%n", user, (double) total / Math.max(1, timeline.issued()),
                    counts));
        });
        return out.toString();
    }

    /** CPU seconds (user + system) and peak RSS (KiB) of each process running, from /proc. */
    private static Map<String, double[]> usage(LocalSystem system) throws Exception {
        Map<String, double[]> usage = new HashMap<>();
        for (String service : PROCESSES) {
            if (system.process(service) == null) {
                continue;
            }
            long pid = system.process(service).pid();
            String[] stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"))
                    .replaceFirst("^.*\\) ", "").split(" ");
            // After the command name: state is field 3; utime and stime are fields 14 and 15.
            double cpu = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / (double) CLOCK_TICKS;
            Matcher hwm = Pattern.compile("VmHWM:\\s+(\\d+) kB").matcher(
                    Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            usage.put(service, new double[] {cpu, hwm.find() ? Double.parseDouble(hwm.group(1)) : 0});
        }
        return usage;
    }

    /** CPU use of every process, sampled through the run, to give CPU per certificate once warm. */
    static final class UsageSamples {
        interface Source {
            Map<String, double[]> read() throws Exception;
        }

        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        private final List<Map.Entry<Long, Map<String, double[]>>> taken =
                java.util.Collections.synchronizedList(new ArrayList<>());
        private final Source source;

        private UsageSamples(Source source) {
            this.source = source;
        }

        static UsageSamples every(long millis, Source source) {
            UsageSamples samples = new UsageSamples(source);
            samples.timer.scheduleAtFixedRate(samples::take, 0, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return samples;
        }

        /** Stops sampling with one last sample, so that the run's last, partial interval is reported too. */
        void stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            take();
        }

        private void take() {
            try {
                taken.add(Map.entry(System.currentTimeMillis(), source.read()));
            } catch (Exception e) {
                // a process gone: the run is failing and says so itself
            }
        }

        /** ms of CPU per certificate written in each interval between samples, per process. */
        String perCertificate(Timeline timeline) {
            StringBuilder out = new StringBuilder(String.format("%nCPU ms per certificate, by interval "
                    + "(certificates written in it)%n%-16s", "interval"));
            PROCESSES.forEach(p -> out.append(String.format(" %9.9s", p)));
            out.append(String.format(" %9s%n", "csrflow"));
            List<Map.Entry<Long, Map<String, double[]>>> list = List.copyOf(taken);
            long start = list.isEmpty() ? 0 : list.get(0).getKey();
            for (int i = 1; i < list.size(); i++) {
                long from = list.get(i - 1).getKey();
                long to = list.get(i).getKey();
                long certificates = timeline.writtenBetween(from, to);
                if (certificates == 0) {
                    continue;
                }
                out.append(String.format("%4d-%4d s %4d", (from - start) / 1000, (to - start) / 1000, certificates));
                double csrflow = 0;
                for (String process : PROCESSES) {
                    double[] a = list.get(i - 1).getValue().get(process);
                    double[] b = list.get(i).getValue().get(process);
                    // A process started within the interval (the fleet, after the first sample) spent
                    // all of its CPU in it.
                    double ms = b == null ? Double.NaN : (b[0] - (a == null ? 0 : a[0])) * 1000 / certificates;
                    if (CSRFLOW.contains(process)) {
                        csrflow += ms;
                    }
                    out.append(String.format(" %9.1f", ms));
                }
                out.append(String.format(" %9.1f%n", csrflow));
            }
            return out.toString();
        }
    }

    /** The emulator's request counts (served without authentication, over its self-signed TLS). */
    private JsonNode requests(LocalSystem system) throws Exception {
        return JSON.readTree(io.csrflow.testsupport.Cli.run(dir, null, "curl", "-sfk",
                system.apiUrl() + "/emulator/requests"));
    }

    /** Requests made during the run, by caller; kubelets and bootstrap tokens summed as one caller each. */
    private static Map<String, Map<String, Long>> delta(JsonNode before, JsonNode after) {
        Map<String, Map<String, Long>> byUser = new TreeMap<>();
        after.path("byUser").fields().forEachRemaining(user -> user.getValue().fields().forEachRemaining(count -> {
            long earlier = before.path("byUser").path(user.getKey()).path(count.getKey()).asLong();
            long delta = count.getValue().asLong() - earlier;
            if (delta > 0) {
                String caller = user.getKey().replaceFirst("^(system:node:|system:bootstrap:).*", "$1*");
                byUser.computeIfAbsent(caller, u -> new TreeMap<>()).merge(count.getKey(), delta, Long::sum);
            }
        }));
        return byUser;
    }

    private static double fleetMetric(LocalSystem system, String name) {
        Matcher value = Pattern.compile("(?m)^" + name + " ([0-9.eE+]+)").matcher(
                JavaProcess.get(system.fleetPort, "/metrics").body());
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /**
     * Per CSR, the record timestamps of its stages: first csr.observed (the watcher saw it pending),
     * its csr.decisions record (the approver decided and wrote the approval), its cert.issued
     * record (the signer wrote the certificate). The API's creationTimestamp has only seconds,
     * so the first sighting stands for creation (the watch delivers within milliseconds).
     */
    record Timeline(Map<String, long[]> stages, Map<String, String> signers) {
        /** Width of the windows the latencies are also given by (by first sighting). */
        private static final long WINDOW_MILLIS = Long.getLong("csrflow.bench.window-seconds", 60) * 1000;

        static Timeline read(String bootstrapServers) {
            Map<String, long[]> stages = new HashMap<>();
            Map<String, String> signers = new HashMap<>();
            for (TopicRecords.Timed record : TopicRecords.timed(bootstrapServers, List.of("csrflow.csr.observed",
                    "csrflow.csr.decisions", "csrflow.cert.issued"))) {
                // csr.observed names the CSR "name"; decisions and certificates name it "csrName".
                String name = record.payload().path(record.topic().equals("csrflow.csr.observed") ? "name" : "csrName")
                        .asText();
                long[] times = stages.computeIfAbsent(name, n -> new long[] {Long.MAX_VALUE, 0, 0});
                switch (record.topic()) {
                    case "csrflow.csr.observed" -> {
                        times[0] = Math.min(times[0], record.timestamp());
                        signers.putIfAbsent(name, record.payload().path("signerName").asText());
                    }
                    case "csrflow.csr.decisions" -> times[1] = times[1] == 0 ? record.timestamp() : times[1];
                    default -> times[2] = times[2] == 0 ? record.timestamp() : times[2];
                }
            }
            stages.values().removeIf(times -> times[2] == 0 || times[0] == Long.MAX_VALUE);
            return new Timeline(stages, signers);
        }

        int issued() {
            return stages.size();
        }

        long writtenBetween(long from, long to) {
            return stages.values().stream().filter(t -> t[2] >= from && t[2] < to).count();
        }

        double throughput() {
            long first = stages.values().stream().mapToLong(t -> t[0]).min().orElse(0);
            long last = stages.values().stream().mapToLong(t -> t[2]).max().orElse(0);
            return issued() * 1000.0 / Math.max(1, last - first);
        }

        String latencies() {
            List<Long> total = new ArrayList<>();
            List<Long> approval = new ArrayList<>();
            List<Long> signing = new ArrayList<>();
            Map<String, List<Long>> bySigner = new TreeMap<>();
            Map<Long, List<Long>> byWindow = new TreeMap<>();
            long first = stages.values().stream().mapToLong(t -> t[0]).min().orElse(0);
            stages.forEach((name, t) -> {
                total.add(t[2] - t[0]);
                if (t[1] > 0) {
                    approval.add(t[1] - t[0]);
                    signing.add(t[2] - t[1]);
                }
                bySigner.computeIfAbsent(signers.get(name), s -> new ArrayList<>()).add(t[2] - t[0]);
                byWindow.computeIfAbsent((t[0] - first) / WINDOW_MILLIS, w -> new ArrayList<>()).add(t[2] - t[0]);
            });
            StringBuilder out = new StringBuilder(line("first sighting -> certificate", total)
                    + line("  sighting -> approval written", approval)
                    + line("  approval -> certificate written", signing));
            out.append(String.format("by signer, first sighting -> certificate%n"));
            bySigner.forEach((signer, millis) -> out.append(line("  " + signer, millis)));
            // The first windows include the services' JIT warm-up; the later ones show them warm.
            out.append(String.format("by %d s window of first sighting (rate, first sighting -> certificate)%n",
                    WINDOW_MILLIS / 1000));
            long lastSighting = stages.values().stream().mapToLong(t -> t[0]).max().orElse(first);
            byWindow.forEach((window, millis) -> {
                // The run's last window may end before its width: its rate is over the part it covers.
                long covered = Math.min(WINDOW_MILLIS, lastSighting + 1 - (first + window * WINDOW_MILLIS));
                out.append(line(String.format("  %4d s  %6.1f CSRs/s", window * WINDOW_MILLIS / 1000,
                        millis.size() * 1000.0 / Math.max(1000, covered)), millis));
            });
            return out.toString();
        }

        private static String line(String what, List<Long> millis) {
            if (millis.isEmpty()) {
                return String.format("%-34s (no samples)%n", what);
            }
            List<Long> sorted = millis.stream().sorted().toList();
            return String.format("%-34s p50 %6d ms  p99 %6d ms  max %6d ms  (%d)%n", what,
                    sorted.get(sorted.size() / 2), sorted.get(Math.min(sorted.size() - 1, sorted.size() * 99 / 100)),
                    sorted.get(sorted.size() - 1), sorted.size());
        }
    }
}
