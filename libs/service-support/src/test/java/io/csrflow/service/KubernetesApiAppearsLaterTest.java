package io.csrflow.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * A service's client made while nothing listens at the API server's address, and the API server
 * started afterwards at that address, as when a service starts before its cluster's API answers.
 */
class KubernetesApiAppearsLaterTest {
    private final int port = freePort();
    private final Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + port)
            .withOauthToken("admin-token").withTrustCerts(true).withDisableHostnameVerification(true).build();
    private KubeEmulator api;

    @Test
    void readinessSaysTheApiIsNotReachableUntilItAnswers() {
        KubernetesReadiness readiness = new KubernetesReadiness(config, true);
        HealthCheckResponse before = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus());
        String reason = before.getData().orElseThrow().get("reason").toString();
        assertTrue(reason.startsWith("API https://127.0.0.1:" + port + "/ not reachable: ConnectException"), reason);

        api = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", port, true);
        // The answer is kept 5 s, so that probes add no load to the API server.
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness.call().getStatus() == HealthCheckResponse.Status.UP);
        assertEquals("v1.32.0-csrflow-emulator", readiness.call().getData().orElseThrow().get("version"));
        readiness.close();
    }

    @Test
    void readinessIsUpWithoutAskingWhereTheApiIsNotRequired() {
        HealthCheckResponse response = new KubernetesReadiness(config, false).call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(false, response.getData().orElseThrow().get("required"));
    }

    @Test
    void anInformerStartedBeforeTheApiListsOnceItAnswers() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config)
                .withRequestRetryBackoffLimit(0).build()).build()) {
            SharedIndexInformer<Node> nodes = Informers.start(client.nodes().runnableInformer(0), "Nodes");
            assertFalse(nodes.hasSynced());

            api = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", port, true);
            try (KubernetesClient admin = api.client("admin-token")) {
                admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build())
                        .create();
            }
            // fabric8 lists again after 1 s, 2 s, 4 s, ...
            await().atMost(Duration.ofSeconds(20)).until(nodes::hasSynced);
            await().atMost(Duration.ofSeconds(5)).until(() -> nodes.getStore().getByKey("node-1") != null);
            assertTrue(nodes.isRunning());
            nodes.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }
}
