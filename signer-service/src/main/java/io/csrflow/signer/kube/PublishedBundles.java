package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.csrflow.pki.Pem;

/**
 * What the trust publishers share: the label that marks an object as the signer's to manage, and
 * whether a published bundle already says what it should. Two replicas may order the same CAs
 * differently; what counts is the set of certificates, so that they never rewrite each other's bundle.
 */
final class PublishedBundles {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String SIGNER_SERVICE = "csrflow-signer-service";
    static final Map<String, String> LABELS = Map.of(MANAGED_BY, SIGNER_SERVICE, "app.kubernetes.io/part-of",
            "csrflow");

    private PublishedBundles() {
    }

    static boolean labelled(Map<String, String> labels) {
        return labels != null && LABELS.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()),
                e.getValue()));
    }

    static boolean managed(Map<String, String> labels) {
        return labels != null && SIGNER_SERVICE.equals(labels.get(MANAGED_BY));
    }

    /** Whether {@code published} holds exactly the certificates of {@code wanted}; unreadable PEM never does. */
    static boolean sameCertificates(String published, String wanted) {
        if (published == null || wanted == null) {
            return Objects.equals(published, wanted);
        }
        return certificates(published).equals(certificates(wanted));
    }

    private static Set<X509Certificate> certificates(String pem) {
        try {
            List<X509Certificate> list = Pem.certificates(pem);
            return new HashSet<>(list);
        } catch (IllegalArgumentException e) {
            return Set.of();
        }
    }
}
