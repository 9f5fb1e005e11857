package io.csrflow.signer.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Ready while the Kubernetes API answers. The answer is kept for 10 s so that probes do not add
 * load to the API server.
 */
@Readiness
@ApplicationScoped
public class ApiReadiness implements HealthCheck {
    private static final long CACHE_MILLIS = 10_000;

    private final KubernetesClient client;
    private volatile HealthCheckResponse last;
    private volatile long lastAt;

    ApiReadiness(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        long now = System.currentTimeMillis();
        if (last != null && now - lastAt < CACHE_MILLIS) {
            return last;
        }
        HealthCheckResponse response;
        try {
            response = HealthCheckResponse.named("kubernetes-api").up()
                    .withData("version", client.getKubernetesVersion().getGitVersion()).build();
        } catch (KubernetesClientException e) {
            response = HealthCheckResponse.named("kubernetes-api").down()
                    .withData("reason", String.valueOf(e.getMessage())).build();
        }
        last = response;
        lastAt = now;
        return response;
    }
}
