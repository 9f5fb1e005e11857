package io.csrflow.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.csrflow.emulator.KubeEmulator;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Creates CSRs in the emulator as a given caller (bootstrap token, a node, an administrator), and
 * approves them as an administrator would.
 */
public final class CsrSubmitter {
    private CsrSubmitter() {
    }

    public static CertificateSigningRequest submit(KubeEmulator emulator, String token, String name, String signer,
            List<String> usages, String pem, Integer expirationSeconds) {
        return submit(emulator, token, name, signer, usages, pem.getBytes(StandardCharsets.US_ASCII), expirationSeconds);
    }

    /** {@code request} as it is, whatever it holds: the API server decides whether it is a CSR. */
    public static CertificateSigningRequest submit(KubeEmulator emulator, String token, String name, String signer,
            List<String> usages, byte[] request, Integer expirationSeconds) {
        try (KubernetesClient client = emulator.client(token)) {
            return client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                    .withNewMetadata().withName(name).endMetadata()
                    .withNewSpec().withRequest(Base64.getEncoder().encodeToString(request))
                    .withSignerName(signer).withUsages(usages).withExpirationSeconds(expirationSeconds).endSpec()
                    .build()).create();
        }
    }

    /** An Approved condition through {@code /approval}, as {@code kubectl certificate approve} writes it. */
    public static CertificateSigningRequest approve(KubernetesClient admin, String name, String reason, String message) {
        return admin.certificates().v1().certificateSigningRequests().withName(name)
                .approve(new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True")
                        .withReason(reason).withMessage(message).build());
    }
}
