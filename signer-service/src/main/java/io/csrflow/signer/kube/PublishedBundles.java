package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.csrflow.pki.Fingerprints;
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
    private static boolean sameCertificates(String published, String wanted) {
        if (published == null || wanted == null) {
            return Objects.equals(published, wanted);
        }
        return certificates(published).equals(certificates(wanted));
    }

    /**
     * How {@code published} differs from {@code wanted}, for a log line: CAs that are not wanted by their
     * SHA-256, wanted ones missing by count, or text other than the signer writes for the same CAs;
     * null when it is exactly that. Readers split PEM lines differently (the JDK also ends a line at a
     * lone CR, which {@link Pem} and Go do not), so text around the same certificates may hold a CA for
     * one reader that another does not see: only the signer's own writing is taken as the same.
     */
    static String difference(String published, String wanted) {
        if (sameCertificates(published, wanted)) {
            return published == null || written(published) ? null
                    : "text other than the signer writes for its CAs (another reader may find more in it)";
        }
        Set<X509Certificate> have = published == null ? Set.of() : certificates(published);
        Set<X509Certificate> want = wanted == null ? Set.of() : certificates(wanted);
        List<String> parts = new ArrayList<>();
        have.stream().filter(c -> !want.contains(c)).map(Fingerprints::sha256).sorted()
                .forEach(fingerprint -> parts.add("a CA the signer does not publish (SHA-256 " + fingerprint + ")"));
        long missing = want.stream().filter(c -> !have.contains(c)).count();
        if (missing > 0) {
            parts.add(published == null ? "missing" : missing + " of the signer's CAs missing");
        }
        return parts.isEmpty() ? "not the signer's" : String.join(", ", parts);
    }

    /** Whether {@code pem} is exactly what the signer writes for the certificates it holds. */
    private static boolean written(String pem) {
        try {
            return pem.equals(Pem.of(Pem.certificates(pem)));
        } catch (IllegalArgumentException e) {
            return false;
        }
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
