package io.csrflow.approver.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.csrflow.approver.RetryScheduler;
import io.csrflow.approver.kube.NodeCache;

/**
 * Ready once the Node cache has synced with the API, so serving CSRs are not judged on an empty cache.
 * Whether the API answers at all is service-support's {@code kubernetes} check.
 */
@Readiness
@ApplicationScoped
public class NodeCacheReadiness implements HealthCheck {
    private final NodeCache nodes;
    private final RetryScheduler retries;

    NodeCacheReadiness(NodeCache nodes, RetryScheduler retries) {
        this.nodes = nodes;
        this.retries = retries;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("node-cache").status(nodes.synced())
                .withData("nodeCacheSynced", nodes.synced())
                .withData("pendingRetries", retries.size())
                .build();
    }
}
