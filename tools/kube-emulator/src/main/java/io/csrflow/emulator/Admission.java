package io.csrflow.emulator;

import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The validating admission plugins of kube-apiserver that concern csrflow, run on every write after
 * authorization: CertificateApproval, CertificateSigning, CertificateSubjectRestriction and
 * NodeRestriction. The first that refuses answers 403 Forbidden.
 */
final class Admission {
    /** One admission plugin: returns to admit, throws {@link ApiException} 403 to refuse. */
    interface Plugin {
        void validate(AdmissionRequest request);

        /** Whether the plugin also checks the object a PATCH results in, before it is stored. */
        default boolean seesPatchedObjects() {
            return false;
        }
    }

    private final List<Plugin> plugins;
    private final RbacObjects rbac;

    Admission(Authorization authorization, RbacObjects rbac, ObjectStore store) {
        this.plugins = List.of(new CertificateApproval(authorization), new CertificateSigning(authorization),
                new CertificateSubjectRestriction(), new NodeRestriction(store),
                new ClusterTrustBundleAttest(authorization));
        this.rbac = rbac;
    }

    /**
     * Admits or refuses a write ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}); called
     * where writes are serialised, before the store is written.
     */
    void admit(String method, ApiPath path, EmulatorConfig.User caller, Supplier<ObjectNode> body,
            Supplier<ObjectNode> stored) {
        AdmissionRequest request = AdmissionRequest.of(method, path, caller, body, stored);
        if (request == null) {
            return;
        }
        for (Plugin plugin : plugins) {
            plugin.validate(request);
        }
        // Deleting a namespace deletes its Roles and RoleBindings too.
        if (path.group().equals(RbacManifests.GROUP) || path.is("", "namespaces")) {
            rbac.changing();
        }
    }

    /**
     * Admits the object a PATCH results in (as an update of {@code stored}, or a create when the patch
     * creates it) by the plugins that look at whole objects; called under the store's write lock.
     */
    void admitPatched(ApiPath path, EmulatorConfig.User caller, ObjectNode patched, ObjectNode stored) {
        AdmissionRequest request = AdmissionRequest.of(stored == null ? "POST" : "PUT",
                stored == null ? path.collection() : path, caller, () -> patched, () -> stored);
        for (Plugin plugin : plugins) {
            if (plugin.seesPatchedObjects()) {
                plugin.validate(request);
            }
        }
    }

    /**
     * Whether {@code user} may {@code verb} the signer {@code signerName}, or every signer of its
     * domain ({@code <domain>/*}): the check CertificateApproval and CertificateSigning make.
     */
    static boolean authorizedForSigner(Authorization authorization, EmulatorConfig.User user, String verb,
            String signerName) {
        String domain = signerName.contains("/") ? signerName.substring(0, signerName.indexOf('/')) : signerName;
        for (String name : List.of(signerName, domain + "/*")) {
            if (authorization.decide(RequestAttributes.ofResource(user.username(), user.groups(), verb,
                    "certificates.k8s.io", "signers", "", name)).allowed()) {
                return true;
            }
        }
        return false;
    }
}
