package io.csrflow.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * kube's ClusterTrustBundleAttest admission plugin: creating or updating a ClusterTrustBundle with a
 * {@code spec.signerName} needs verb {@code attest} on {@code signers} ({@code certificates.k8s.io})
 * named the signer name or {@code <domain>/*}, so that only a signer's operator publishes what
 * workloads trust for it. Changing the signer name is refused here too; an update that leaves
 * signer and bundle as they are needs no permission (storage migration, garbage collection).
 */
final class ClusterTrustBundleAttest implements Admission.Plugin {
    private final Authorization authorization;

    ClusterTrustBundleAttest(Authorization authorization) {
        this.authorization = authorization;
    }

    @Override
    public boolean seesPatchedObjects() {
        return true;
    }

    @Override
    public void validate(AdmissionRequest request) {
        if (request.operation() == AdmissionRequest.Operation.DELETE
                || !request.is("certificates.k8s.io", "clustertrustbundles", null)) {
            return;
        }
        ObjectNode bundle = request.object();
        if (bundle == null) {
            return; // a PATCH: validated again once patched (seesPatchedObjects)
        }
        String signerName = bundle.path("spec").path("signerName").asText("");
        if (request.operation() == AdmissionRequest.Operation.UPDATE) {
            JsonNode old = request.oldObject().path("spec");
            if (!old.path("signerName").asText("").equals(signerName)) {
                throw request.forbidden("changing signerName is forbidden");
            }
            if (old.path("trustBundle").asText("").equals(bundle.path("spec").path("trustBundle").asText(""))) {
                return;
            }
        }
        if (signerName.isEmpty()) {
            return;
        }
        if (!Admission.authorizedForSigner(authorization, request.caller(), "attest", signerName)) {
            throw request.forbidden("user not permitted to attest for signerName " + Authorization.quote(signerName));
        }
    }
}
