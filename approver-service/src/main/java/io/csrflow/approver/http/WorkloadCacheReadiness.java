package io.csrflow.approver.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.csrflow.approver.kube.WorkloadCache;

/**
 * Ready once the Pod, Service and EndpointSlice caches have synced, so that a workload CSR is never
 * judged on a partial view (a Service whose other pods are not read yet would look like one
 * ServiceAccount's). Always up when the workload rule is off.
 */
@Readiness
@ApplicationScoped
public class WorkloadCacheReadiness implements HealthCheck {
    private final WorkloadCache workloads;

    WorkloadCacheReadiness(WorkloadCache workloads) {
        this.workloads = workloads;
    }

    @Override
    public HealthCheckResponse call() {
        boolean ready = !workloads.enabled() || workloads.synced();
        return HealthCheckResponse.named("workload-cache").status(ready)
                .withData("workloadRuleEnabled", workloads.enabled())
                .withData("workloadCacheSynced", workloads.synced())
                .build();
    }
}
