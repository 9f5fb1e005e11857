package io.csrflow.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Kubelets bootstrapping against the API emulator, with {@link TestSigner} as approver and signer:
 * each waits for its CSRs by watching them (list, then watch from the list's resourceVersion, as
 * client-go's {@code WaitForCertificate}), never by polling, and registers its Node with the client
 * certificate it got.
 */
class KubeletBootstrapTest {
    private static final int NODES = 3;

    @TempDir
    Path dir;

    @Test
    void kubeletsWatchTheirCsrsUntilTheCertificatesComeAndRegisterWithThem() throws Exception {
        try (TestSigner signer = new TestSigner();
                KubeEmulator emulator = KubeEmulator.startWithClientCa(EmulatorConfig.defaults(), "127.0.0.1", 0,
                        signer.writeCa(dir));
                KubernetesClient admin = emulator.client("admin-token");
                Fleet fleet = new Fleet(new FleetArguments(new String[] {"--server", emulator.url(),
                    "--bootstrap-token", "bootstrap-token", "--nodes", Integer.toString(NODES),
                    "--poll-interval", "200ms", "--request-timeout", "60s", "--starts-per-second", "20"},
                        Map.of()).settings())) {
            signer.start(admin);
            fleet.start();

            FleetReport report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(fleet::report, r -> r.ready() + r.failed() >= NODES);

            assertEquals(NODES, report.ready(), report.summary());
            for (NodeReport node : report.nodeReports()) {
                assertTrue(node.client().serial() != null && node.serving().serial() != null, node.toString());
                assertEquals("sim-node-", node.name().substring(0, "sim-node-".length()));
                assertTrue(admin.nodes().withName(node.name()).get() != null, node.name() + " registered");
            }
            String node = "system:node:sim-node-1";
            assertEquals(0, emulator.requests().count("get certificatesigningrequests")
                    - emulator.requests().count("kubernetes-admin", "get certificatesigningrequests"),
                    "the kubelets looked at their CSRs by GET");
            assertEquals(NODES, emulator.requests().count("system:bootstrap:abcdef", "create certificatesigningrequests"));
            assertTrue(emulator.requests().count("system:bootstrap:abcdef", "watch certificatesigningrequests") >= NODES);
            assertTrue(emulator.requests().count(node, "watch certificatesigningrequests") >= 1,
                    "the node watched its serving CSR with its own certificate");
        }
    }
}
