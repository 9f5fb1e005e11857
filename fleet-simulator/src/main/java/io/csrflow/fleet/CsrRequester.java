package io.csrflow.fleet;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Creates a CSR and waits for its outcome the way a kubelet does: until the certificate appears in
 * the status, or a Denied or Failed condition, watching it with {@link CsrWait}.
 */
final class CsrRequester {
    private final ScheduledExecutorService scheduler;
    private final CsrWait wait;

    CsrRequester(ScheduledExecutorService scheduler, CsrWait wait) {
        this.scheduler = scheduler;
        this.wait = wait;
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
        return CompletableFuture.runAsync(
                () -> client.certificates().v1().certificateSigningRequests().resource(csr).create(), scheduler)
                .thenCompose(created -> wait.await(client, name));
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
