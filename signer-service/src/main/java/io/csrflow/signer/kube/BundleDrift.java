package io.csrflow.signer.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * How the published CA bundle ConfigMap differs from what a replica would write, for the resync that
 * writes it again and for its log line. Every key of {@code data} and {@code binaryData} is a file in the
 * mounted volume, so any key the signer does not write counts, as does a bundle that holds other CAs or
 * is written otherwise than the signer writes it.
 */
final class BundleDrift {
    private BundleDrift() {
    }

    /**
     * @param wanted  the replica's {@code data}: file name → PEM of its CAs
     * @param refused signers whose part of the record of replaced CAs the replica refuses
     * @return what differs, or null when nothing does
     */
    static String describe(ConfigMap current, Map<String, String> wanted, List<String> refused) {
        List<String> found = new ArrayList<>();
        Map<String, String> data = current.getData() == null ? Map.of() : current.getData();
        data.keySet().stream().filter(key -> !wanted.containsKey(key)).sorted()
                .forEach(key -> found.add(key + " is no signer's bundle"));
        wanted.forEach((key, pem) -> {
            String difference = PublishedBundles.difference(data.get(key), pem);
            if (difference != null) {
                found.add(key + ": " + difference);
            }
        });
        if (current.getBinaryData() != null) {
            current.getBinaryData().keySet().stream().sorted().forEach(key -> found.add("binaryData " + key));
        }
        refused.forEach(signer -> found.add("the record of replaced CAs of " + signer + " is refused"));
        return found.isEmpty() ? null : String.join("; ", found);
    }
}
