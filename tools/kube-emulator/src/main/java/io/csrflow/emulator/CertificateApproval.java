package io.csrflow.emulator;

/**
 * kube's CertificateApproval admission plugin: every update of a CSR's {@code /approval} needs verb
 * {@code approve} on {@code signers} ({@code certificates.k8s.io}) named by the stored CSR's signer,
 * or {@code <domain>/*}.
 */
final class CertificateApproval implements Admission.Plugin {
    private final Authorization authorization;

    CertificateApproval(Authorization authorization) {
        this.authorization = authorization;
    }

    @Override
    public void validate(AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.UPDATE
                || !request.is("certificates.k8s.io", "certificatesigningrequests", "approval")) {
            return;
        }
        // The stored signer: an approval cannot change it, and checking the body's would let it try.
        String signer = request.oldObject().path("spec").path("signerName").asText("");
        if (!Admission.authorizedForSigner(authorization, request.caller(), "approve", signer)) {
            throw request.forbidden("user not permitted to approve requests with signerName "
                    + Authorization.quote(signer));
        }
    }
}
