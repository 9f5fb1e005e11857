package io.csrflow.scheduler.inventory;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One reading of the trust bundle directory: the CA certificates of each {@code <signer>.crt}, or
 * why the bundle cannot be used at all. The kubelet swaps a ConfigMap volume's files in one step,
 * so a reading holds the old bundle or the new one, never half of each.
 *
 * @param files   file name → its CA certificates (every file holds at least one)
 * @param names   every {@code *.crt} the directory lists, readable or not
 * @param problem why no certificate can be checked; null when the bundle is usable
 */
record TrustBundle(Path directory, Map<String, List<X509Certificate>> files, Set<String> names, String problem) {

    static TrustBundle unusable(Path directory, Set<String> names, String problem) {
        return new TrustBundle(directory, Map.of(), names, problem);
    }

    boolean usable() {
        return problem == null;
    }

    /** What readiness shows: the problem, or which files hold how many CA certificates. */
    String describe() {
        if (!usable()) {
            return problem;
        }
        return directory + ": " + files.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue().size() + " CA)").collect(Collectors.joining(", "));
    }
}
