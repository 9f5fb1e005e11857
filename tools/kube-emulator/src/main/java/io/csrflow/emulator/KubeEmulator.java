package io.csrflow.emulator;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * A running Kubernetes API emulator: fabric8's mock web server with {@link ApiServerDispatcher}.
 * Usable in-process from tests and standalone through {@link KubeEmulatorMain}.
 */
public final class KubeEmulator implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final RequestCounter requests = new RequestCounter();
    private final ApiServerDispatcher dispatcher;
    private final boolean https;
    private final Thread drainer;
    private volatile boolean running = true;

    private KubeEmulator(EmulatorConfig config, Clock clock, boolean https) {
        this.https = https;
        this.dispatcher = new ApiServerDispatcher(config, clock, requests,
                () -> server.getHostName() + ":" + server.getPort());
        server.setDispatcher(dispatcher);
        if (https) {
            server.useHttps();
        }
        // The mock web server keeps every request for takeRequest(); drop them so memory stays flat.
        drainer = new Thread(this::drainRecordedRequests, "kube-emulator-drainer");
        drainer.setDaemon(true);
    }

    /** Starts on {@code host:port} (port 0 picks a free one). */
    public static KubeEmulator start(EmulatorConfig config, String host, int port, boolean https) {
        KubeEmulator emulator = new KubeEmulator(config, Clock.systemUTC(), https);
        try {
            emulator.server.start(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the emulator on " + host + ":" + port, e);
        }
        emulator.drainer.start();
        return emulator;
    }

    /** An emulator with the default config on a free loopback port, over HTTP. */
    public static KubeEmulator startDefault() {
        return start(EmulatorConfig.defaults(), "127.0.0.1", 0, false);
    }

    public String url() {
        return (https ? "https://" : "http://") + server.getHostName() + ":" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    public RequestCounter requests() {
        return requests;
    }

    /** Makes another caller known, e.g. a kubelet identity. */
    public void addUser(EmulatorConfig.User user) {
        dispatcher.authenticator().add(user);
    }

    /** A client configuration that authenticates with {@code token}. */
    public Config clientConfig(String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withOauthToken(token)
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .withRequestTimeout(10_000)
                .build();
    }

    public KubernetesClient client(String token) {
        return new KubernetesClientBuilder().withConfig(clientConfig(token)).build();
    }

    /** Writes a kubeconfig for kubectl that logs in with {@code token}. */
    public Path writeKubeconfig(Path file, String token) throws IOException {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: csrflow-emulator
                    cluster:
                      server: %s
                %s
                users:
                  - name: csrflow-user
                    user:
                      token: %s
                contexts:
                  - name: csrflow-emulator
                    context:
                      cluster: csrflow-emulator
                      user: csrflow-user
                current-context: csrflow-emulator
                """.formatted(url(), https ? "      insecure-skip-tls-verify: true" : "", token);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, kubeconfig);
        return file;
    }

    private void drainRecordedRequests() {
        while (running) {
            try {
                server.takeRequest(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        drainer.interrupt();
        server.shutdown();
    }
}
