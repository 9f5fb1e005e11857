package io.csrflow.signer.kube;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads live CSRs and writes through {@code /status} with the resourceVersion read: the certificate,
 * or a Failed condition. A 409 means someone wrote first; the caller re-reads and decides again.
 */
@ApplicationScoped
public class CsrStatusWriter {
    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE }

    private final KubernetesClient client;
    private final Clock clock;

    CsrStatusWriter(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public CertificateSigningRequest get(String name) {
        return client.certificates().v1().certificateSigningRequests().withName(name).get();
    }

    public Written certificate(CertificateSigningRequest live, String pem) {
        return write(new CertificateSigningRequestBuilder(live).editOrNewStatus()
                .withCertificate(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .endStatus().build());
    }

    public Written failed(CertificateSigningRequest live, String reason, String message) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        return write(new CertificateSigningRequestBuilder(live).editOrNewStatus()
                .addToConditions(new CertificateSigningRequestConditionBuilder().withType("Failed").withStatus("True")
                        .withReason(reason).withMessage(message).withLastUpdateTime(now).withLastTransitionTime(now)
                        .build())
                .endStatus().build());
    }

    private Written write(CertificateSigningRequest update) {
        try {
            client.certificates().v1().certificateSigningRequests().resource(update).updateStatus();
            return Written.WRITTEN;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Written.GONE;
            }
            if (e.getCode() == 409) {
                return Written.CONFLICT;
            }
            throw e;
        }
    }
}
