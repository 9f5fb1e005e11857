package io.csrflow.fleet;

import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.client.KubernetesClient;

/** What every simulated kubelet shares: the API clients' factory, the requester, the timers and the keys made ahead. */
interface FleetContext {
    KubernetesClient bootstrapClient();

    /** A client that authenticates with {@code certificate} and its key. */
    KubernetesClient clientFor(HeldCertificate certificate);

    /** A client that authenticates with a bearer token (a workload's ServiceAccount token). */
    KubernetesClient clientWithToken(String token);

    CsrRequester requester();

    /** A fresh EC P-256 key, the kubelet's kind, no one else holds. */
    KeyMaterial ecP256Key();

    ScheduledExecutorService scheduler();

    /** {@code spec.expirationSeconds} of every request, or null to leave the lifetime to the signer. */
    Integer expirationSeconds();
}
