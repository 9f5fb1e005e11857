package io.csrflow.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * kube's CertificateSigning admission plugin: an update of a CSR's {@code /status} that changes
 * {@code status.certificate} or the conditions needs verb {@code sign} on {@code signers}
 * ({@code certificates.k8s.io}) named by the CSR's signer, or {@code <domain>/*}. Approved and
 * Denied conditions do not count: {@code /status} keeps the stored ones whatever the body says.
 */
final class CertificateSigning implements Admission.Plugin {
    private final Authorization authorization;

    CertificateSigning(Authorization authorization) {
        this.authorization = authorization;
    }

    @Override
    public void validate(AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.UPDATE
                || !request.is("certificates.k8s.io", "certificatesigningrequests", "status")) {
            return;
        }
        ObjectNode old = request.oldObject();
        ObjectNode updated = request.object();
        if (updated != null && !changed(old, updated)) {
            return;
        }
        String signer = old.path("spec").path("signerName").asText("");
        if (!Admission.authorizedForSigner(authorization, request.caller(), "sign", signer)) {
            throw request.forbidden("user not permitted to sign requests with signerName "
                    + Authorization.quote(signer));
        }
    }

    private static boolean changed(ObjectNode old, ObjectNode updated) {
        String before = old.path("status").path("certificate").asText("");
        String after = updated.path("status").path("certificate").asText("");
        return !before.equals(after) || !signerConditions(old).equals(signerConditions(updated));
    }

    private static ArrayNode signerConditions(ObjectNode csr) {
        ArrayNode conditions = Json.MAPPER.createArrayNode();
        for (JsonNode condition : csr.path("status").path("conditions")) {
            String type = condition.path("type").asText();
            if (!type.equals("Approved") && !type.equals("Denied")) {
                conditions.add(condition);
            }
        }
        return conditions;
    }
}
