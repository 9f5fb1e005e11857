package io.csrflow.fleet;

import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.client.KubernetesClient;

/** What every simulated kubelet shares: the API clients' factory, the requester and the timers. */
interface FleetContext {
    KubernetesClient bootstrapClient();

    /** A client that authenticates with {@code certificate} and its key. */
    KubernetesClient clientFor(HeldCertificate certificate);

    /** A client that authenticates with a bearer token (a workload's ServiceAccount token). */
    KubernetesClient clientWithToken(String token);

    CsrRequester requester();

    ScheduledExecutorService scheduler();

    /** {@code spec.expirationSeconds} of every request, or null to leave the lifetime to the signer. */
    Integer expirationSeconds();
}
