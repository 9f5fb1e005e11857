package io.csrflow.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Creates a CSR and waits for its outcome the way a kubelet does: until the certificate appears in
 * the status, or a Denied or Failed condition. It polls the CSR by name rather than holding a
 * watch per node, so the load a fleet puts on the API stays predictable; every poll is a plain GET
 * a real API server answers the same way. The first look comes soon (a quick answer is seen
 * quickly), then the pause doubles up to the poll interval: thousands of nodes waiting on a busy
 * cluster must not become the cluster's main load.
 */
final class CsrRequester {
    private final ScheduledExecutorService scheduler;
    private final Duration pollInterval;
    private final Duration timeout;
    private static final Duration FIRST_LOOK = Duration.ofMillis(250);

    CsrRequester(ScheduledExecutorService scheduler, Duration pollInterval, Duration timeout) {
        this.scheduler = scheduler;
        this.pollInterval = pollInterval;
        this.timeout = timeout;
    }

    /** Creates the CSR as {@code client}'s user; completes with its outcome, or exceptionally. */
    CompletableFuture<CsrOutcome> request(KubernetesClient client, String name, CertKind kind, KeyMaterial key,
            String csrPem, Integer expirationSeconds) {
        return request(client, name, kind.signerName(), kind.usages(key.rsa()), csrPem, expirationSeconds);
    }

    /** Creates a CSR for {@code signerName} with {@code usages} as {@code client}'s user; completes with its outcome. */
    CompletableFuture<CsrOutcome> request(KubernetesClient client, String name, String signerName, List<String> usages,
            String csrPem, Integer expirationSeconds) {
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(csrPem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(signerName)
                .withUsages(usages)
                .withExpirationSeconds(expirationSeconds)
                .endSpec().build();
        CompletableFuture<CsrOutcome> outcome = new CompletableFuture<>();
        scheduler.execute(() -> {
            try {
                client.certificates().v1().certificateSigningRequests().resource(csr).create();
                poll(client, name, Instant.now().plus(timeout), min(FIRST_LOOK, pollInterval), outcome);
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private void poll(KubernetesClient client, String name, Instant giveUpAt, Duration pause,
            CompletableFuture<CsrOutcome> outcome) {
        Duration next = min(pause.multipliedBy(2), pollInterval);
        scheduler.schedule(() -> {
            try {
                CertificateSigningRequest current = client.certificates().v1().certificateSigningRequests()
                        .withName(name).get();
                CsrOutcome ended = current == null ? null : outcomeOf(current);
                if (ended != null) {
                    outcome.complete(ended);
                } else if (Instant.now().isAfter(giveUpAt)) {
                    outcome.completeExceptionally(new TimeoutException("CSR " + name + " got no certificate within "
                            + timeout + (current == null ? " (it is gone)" : "")));
                } else {
                    poll(client, name, giveUpAt, next, outcome);
                }
            } catch (RuntimeException e) {
                // One failed GET is not the end of the request: the API may be restarting.
                if (Instant.now().isAfter(giveUpAt)) {
                    outcome.completeExceptionally(e);
                } else {
                    poll(client, name, giveUpAt, next, outcome);
                }
            }
        }, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static CsrOutcome outcomeOf(CertificateSigningRequest csr) {
        String name = csr.getMetadata().getName();
        if (csr.getStatus() == null) {
            return null;
        }
        List<CertificateSigningRequestCondition> conditions = csr.getStatus().getConditions() == null ? List.of()
                : csr.getStatus().getConditions();
        for (CertificateSigningRequestCondition condition : conditions) {
            if ("Denied".equals(condition.getType()) || "Failed".equals(condition.getType())) {
                return new CsrOutcome.Refused(name, condition.getType(), condition.getReason(), condition.getMessage());
            }
        }
        String certificate = csr.getStatus().getCertificate();
        if (certificate == null || certificate.isEmpty()) {
            return null;
        }
        return new CsrOutcome.Issued(name, new String(Base64.getDecoder().decode(certificate), StandardCharsets.US_ASCII));
    }
}
