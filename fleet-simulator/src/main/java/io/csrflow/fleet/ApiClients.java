package io.csrflow.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;

/**
 * Builds the fleet's API clients, one per identity (each node authenticates with its own
 * certificate), and lets them share everything that is not the identity: one Vert.x instance (its
 * event loop and pools), one JSON (de)serializer with its warmed caches, one executor for callbacks
 * and watches, and the trust material for the API server, read once. Left to itself fabric8 makes
 * each of those anew for every client, which cost the simulator more CPU than its requests.
 */
final class ApiClients implements AutoCloseable {
    private final Vertx vertx = sharedVertx();
    private final VertxHttpClientFactory httpClients = new VertxHttpClientFactory(vertx);
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final ExecutorService callbacks;
    private final Config base;
    private final TrustManager[] trust;

    ApiClients(String apiServer, Path apiCaFile, Duration requestTimeout) {
        AtomicInteger threadNumber = new AtomicInteger();
        this.callbacks = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fleet-api-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Every client is configured to trust any server (cheap for fabric8 to set up) and then given
        // the real trust managers below: with a CA file fabric8 would otherwise re-read it and the
        // JDK's whole cacerts for each client.
        this.base = new ConfigBuilder(Config.empty()).withMasterUrl(apiServer)
                .withRequestTimeout((int) requestTimeout.toMillis())
                .withTrustCerts(true).withDisableHostnameVerification(apiCaFile == null).build();
        try {
            Config trustConfig = apiCaFile == null ? base : new ConfigBuilder(base).withTrustCerts(false)
                    .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(apiCaFile))).build();
            this.trust = SSLUtils.trustManagers(trustConfig);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the API server's CA " + apiCaFile + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot use the API server's CA " + apiCaFile + ": " + e.getMessage(), e);
        }
    }

    /** A client that authenticates with a bearer token. */
    KubernetesClient withToken(String token) {
        return build(new ConfigBuilder(base).withOauthToken(token).build(), null);
    }

    /** A client that authenticates with {@code certificate} and its key (mutual TLS). */
    KubernetesClient withCertificate(HeldCertificate certificate) {
        return build(base, new KeyManager[] {
            new NodeKeyManager(certificate.key().keys().getPrivate(), certificate.certificate())});
    }

    private KubernetesClient build(Config config, KeyManager[] keyManagers) {
        return new KubernetesClientBuilder().withHttpClientFactory(httpClients).withConfig(config)
                .withKubernetesSerialization(serialization).withTaskExecutor(callbacks)
                .withHttpClientBuilderConsumer(builder -> builder.sslContext(keyManagers, trust))
                .build();
    }

    @Override
    public void close() {
        vertx.close();
        callbacks.shutdownNow();
    }

    /** As fabric8 makes its own Vert.x: daemon threads, no file caching, the JDK's name resolver. */
    private static Vertx sharedVertx() {
        String previous = System.getProperty("vertx.disableDnsResolver");
        System.setProperty("vertx.disableDnsResolver", "true");
        try {
            return Vertx.vertx(new VertxOptions().setUseDaemonThread(true).setFileSystemOptions(
                    new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        } finally {
            if (previous == null) {
                System.clearProperty("vertx.disableDnsResolver");
            } else {
                System.setProperty("vertx.disableDnsResolver", previous);
            }
        }
    }
}
