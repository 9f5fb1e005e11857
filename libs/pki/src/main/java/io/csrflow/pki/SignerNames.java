package io.csrflow.pki;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The Kubernetes signer names csrflow knows, and the API server's rule for any other. */
public final class SignerNames {
    public static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    public static final String KUBELET_SERVING = "kubernetes.io/kubelet-serving";
    public static final String APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    public static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";
    /** The names Kubernetes defines; any other {@code kubernetes.io/} name is reserved and unusable. */
    public static final List<String> KUBERNETES = List.of(KUBELET_CLIENT, KUBELET_SERVING, APISERVER_CLIENT,
            LEGACY_UNKNOWN);
    public static final String KUBERNETES_PREFIX = "kubernetes.io/";

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final int SUBDOMAIN_MAX = 253;
    private static final int LABEL_MAX = 63;

    private SignerNames() {
    }

    /**
     * What is wrong with {@code name} as a signer name, by the API server's {@code ValidateSignerName}:
     * {@code <domain>/<path>}, the domain a DNS name of at least two labels (at most 253 characters),
     * the path dot-separated DNS subdomains of at most 317 characters; empty if it is valid.
     */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("a signer name is required");
        }
        String[] segments = name.split("/", -1);
        if (segments.length != 2) {
            return Optional.of("must be a fully qualified domain and path of the form 'example.com/signer-name'");
        }
        String domain = segments[0];
        String path = segments[1];
        if (domain.length() > SUBDOMAIN_MAX) {
            return Optional.of("the domain may have at most " + SUBDOMAIN_MAX + " characters");
        }
        String[] labels = domain.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("the domain's label \"" + CsrParser.escape(label) + "\" is not a DNS-1123 label "
                        + "(lower-case letters, digits and '-', at most 63 characters)");
            }
        }
        if (labels.length < 2) {
            return Optional.of("the domain needs at least two labels separated by dots (example.com)");
        }
        if (path.isEmpty() || path.length() > SUBDOMAIN_MAX + LABEL_MAX + 1) {
            return Optional.of("the path must have 1 to " + (SUBDOMAIN_MAX + LABEL_MAX + 1) + " characters");
        }
        for (String part : path.split("\\.", -1)) {
            if (part.length() > SUBDOMAIN_MAX || !SUBDOMAIN.matcher(part).matches()) {
                return Optional.of("the path's part \"" + CsrParser.escape(part) + "\" is not a DNS-1123 subdomain");
            }
        }
        return Optional.empty();
    }

    /** Whether Kubernetes defines the signer's rules (a {@code kubernetes.io/} name). */
    public static boolean isKubernetes(String name) {
        return name.startsWith(KUBERNETES_PREFIX);
    }

    /**
     * The file of a signer's CA bundle in the {@code csrflow-ca-bundles} ConfigMap the signer publishes
     * and the rotation-scheduler reads: Kubernetes' signers by their name after {@code kubernetes.io/}
     * ({@code kubelet-serving.crt}), any other by its full name with '/' as '_'
     * ({@code csrflow.io_workload-serving.crt}; '_' is never part of a signer name, so files of two
     * signers never collide).
     */
    public static String bundleFile(String name) {
        return shortName(name).replace('/', '_') + ".crt";
    }

    /** Kubernetes' signers without {@code kubernetes.io/} ({@code kubelet-serving}), any other by its full name. */
    public static String shortName(String name) {
        return isKubernetes(name) ? name.substring(KUBERNETES_PREFIX.length()) : name;
    }

    /** The signer a {@link #shortName} names: a name without '/' is one of Kubernetes'. */
    public static String fullName(String shortOrFull) {
        return shortOrFull.contains("/") ? shortOrFull : KUBERNETES_PREFIX + shortOrFull;
    }
}
