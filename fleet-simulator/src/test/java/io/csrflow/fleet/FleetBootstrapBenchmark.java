package io.csrflow.fleet;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The CPU one process spends while a fleet bootstraps against the in-process API emulator and
 * {@link TestSigner}: a warm-up fleet first, then the measured one. The emulator and the signer run in
 * the same process, so the figure is an upper bound of the simulator's own share; the API requests
 * the fleet made per certificate are printed beside it. Asserts nothing. Not part of the test run (a
 * *Benchmark): {@code mvn -B -ntp -o -q -pl fleet-simulator test -Dtest=FleetBootstrapBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}, size with {@code -Dcsrflow.fleet.benchmark.nodes=500}.
 */
class FleetBootstrapBenchmark {
    private static final int NODES = Integer.getInteger("csrflow.fleet.benchmark.nodes", 300);
    private static final String POLL = System.getProperty("csrflow.fleet.benchmark.poll-interval", "5s");

    @TempDir
    Path dir;

    @Test
    void bootstrapAFleet() throws Exception {
        try (TestSigner signer = new TestSigner();
                KubeEmulator emulator = KubeEmulator.startWithClientCa(EmulatorConfig.defaults(), "127.0.0.1", 0,
                        signer.writeCa(dir));
                KubernetesClient admin = emulator.client("admin-token")) {
            signer.start(admin);
            run(emulator, "warm-node-", Math.max(20, NODES / 5));
            long requestsBefore = emulator.requests().total();
            long cpuBefore = processCpuNanos();
            long started = System.nanoTime();
            run(emulator, "sim-node-", NODES);
            double wall = (System.nanoTime() - started) / 1e9;
            double cpu = (processCpuNanos() - cpuBefore) / 1e9;
            long requests = emulator.requests().total() - requestsBefore;
            int certificates = 2 * NODES;
            System.out.printf("%n== fleet bootstrap: %d nodes, %d certificates, polls up to %s apart ==%n", NODES,
                    certificates, POLL);
            System.out.printf("wall %.1f s, process CPU %.1f s, %.1f ms CPU per certificate (emulator and signer "
                    + "included), %.1f API requests per certificate%n", wall, cpu, 1000 * cpu / certificates,
                    (double) requests / certificates);
            for (String request : new String[] {"create certificatesigningrequests", "get certificatesigningrequests",
                "list certificatesigningrequests", "watch certificatesigningrequests", "create nodes"}) {
                System.out.printf("  %-36s %8d%n", request, emulator.requests().count(request));
            }
        }
    }

    private static void run(KubeEmulator emulator, String prefix, int nodes) {
        FleetSettings settings = new FleetArguments(new String[] {"--server", emulator.url(),
            "--bootstrap-token", "bootstrap-token", "--nodes", Integer.toString(nodes), "--name-prefix", prefix,
            "--lifetime", "24h", "--starts-per-second", "50", "--poll-interval", POLL, "--request-timeout", "10m",
            "--threads", "8"}, Map.of()).settings();
        try (Fleet fleet = new Fleet(settings)) {
            fleet.start();
            FleetReport report = await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(500))
                    .until(fleet::report, r -> r.ready() + r.failed() >= nodes);
            if (report.failed() > 0) {
                throw new AssertionError(report.failed() + " nodes failed: " + report.nodeReports().stream()
                        .filter(n -> n.lastError() != null).findFirst().orElseThrow());
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
