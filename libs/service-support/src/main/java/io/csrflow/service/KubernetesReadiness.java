package io.csrflow.service;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Ready while the Kubernetes API answers ({@code GET /version}), so that a service started before its
 * API server, or cut off from it, says so: "API https://… not reachable: ConnectException: Connection
 * refused". The question goes through a client of its own, with the service's credentials but
 * without retries and with 2 s timeouts: the service's client retries a refused connection for about
 * 20 s, longer than a probe waits. The answer is kept for 5 s so that probes add no load to the API
 * server. Off where the API is optional ({@code csrflow.kubernetes.required=false}).
 */
@Readiness
@ApplicationScoped
public class KubernetesReadiness implements HealthCheck {
    private static final int TIMEOUT_MS = 2_000;
    private static final long KEEP_MILLIS = 5_000;

    private final Config config;
    private final boolean required;
    private KubernetesClient probe;
    private HealthCheckResponse last;
    private long lastAt;

    @Inject
    KubernetesReadiness(KubernetesClient client, KubernetesApiConfig settings) {
        this(client.getConfiguration(), settings.required());
    }

    KubernetesReadiness(Config config, boolean required) {
        this.config = config;
        this.required = required;
    }

    @Override
    public synchronized HealthCheckResponse call() {
        if (!required) {
            return HealthCheckResponse.named("kubernetes").up().withData("required", false).build();
        }
        long now = System.currentTimeMillis();
        if (last == null || now - lastAt >= KEEP_MILLIS) {
            last = ask();
            lastAt = System.currentTimeMillis();
        }
        return last;
    }

    private HealthCheckResponse ask() {
        String api = config.getMasterUrl();
        try {
            String version = probe().getKubernetesVersion().getGitVersion();
            return HealthCheckResponse.named("kubernetes").up().withData("api", api).withData("version", version)
                    .build();
        } catch (KubernetesClientException e) {
            String reason = e.getCode() > 0 ? "API " + api + " answered HTTP " + e.getCode() + ": " + e.getMessage()
                    : "API " + api + " not reachable: " + Informers.rootMessage(e);
            return HealthCheckResponse.named("kubernetes").down().withData("reason", reason).build();
        }
    }

    private KubernetesClient probe() {
        if (probe == null) {
            probe = new KubernetesClientBuilder().withConfig(new ConfigBuilder(config).withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(TIMEOUT_MS).withRequestTimeout(TIMEOUT_MS).build()).build();
        }
        return probe;
    }

    @PreDestroy
    synchronized void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
