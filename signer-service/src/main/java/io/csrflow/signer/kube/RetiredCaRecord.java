package io.csrflow.signer.kube;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.csrflow.pki.SignerNames;
import io.csrflow.signer.ca.CaRegistry;

/**
 * The record of replaced CAs in the bundle ConfigMap's annotations, and the proof that goes with it.
 *
 * <p>{@link #ENTRIES}: {@code <signer>/<sha256>=<keep until>}, comma separated (Kubernetes' signers
 * without their {@code kubernetes.io/} prefix). {@link #PROOFS}: per signer, {@code
 * <signer>/<sha256 of the CA certificate that signed>=<signature, base64url>}: the signature of that
 * signer's CA over {@link #signed} of its entries. Without a proof a reader can verify, a signer's
 * entries are ignored: write access to the ConfigMap alone must not make a CA trusted in every
 * namespace.
 */
final class RetiredCaRecord {
    static final String ENTRIES = "csrflow.io/retired-cas";
    static final String PROOFS = "csrflow.io/retired-cas-proof";
    /**
     * Starts what a CA key signs here. It can never begin a DER SEQUENCE (0x30), so the signature can never
     * pass for one over a certificate or a CRL.
     */
    private static final String DOMAIN = "csrflow.io/retired-cas v1\n";

    /** One replaced CA: the SHA-256 of its certificate and until when it stays trusted. */
    record Entry(String fingerprint, Instant keepUntil) {
    }

    private RetiredCaRecord() {
    }

    /** The entries of each signer (full name) as written; an entry that cannot be read is left out. */
    static Map<String, List<Entry>> entries(String annotation) {
        Map<String, List<Entry>> entries = new TreeMap<>();
        split(annotation).forEach((signer, values) -> values.forEach((fingerprint, value) -> {
            try {
                Entry entry = new Entry(fingerprint, Instant.parse(value));
                entries.computeIfAbsent(signer, s -> new ArrayList<>()).add(entry);
            } catch (RuntimeException e) {
                // Not a time: not an entry.
            }
        }));
        return entries;
    }

    /** The proof of each signer (full name) as written; one that cannot be read is left out. */
    static Map<String, CaRegistry.Vouch> proofs(String annotation) {
        Map<String, CaRegistry.Vouch> proofs = new TreeMap<>();
        split(annotation).forEach((signer, values) -> values.forEach((fingerprint, value) -> {
            try {
                proofs.put(signer, new CaRegistry.Vouch(fingerprint, Base64.getUrlDecoder().decode(value)));
            } catch (IllegalArgumentException e) {
                // Not base64url: no proof.
            }
        }));
        return proofs;
    }

    /** What a signer's CA signs for its entries: the signer and each entry, in one order whoever writes. */
    static byte[] signed(String signer, List<Entry> entries) {
        StringBuilder text = new StringBuilder(DOMAIN).append(signer).append('\n');
        entries.stream().sorted(Comparator.comparing(Entry::fingerprint).thenComparing(Entry::keepUntil))
                .forEach(e -> text.append(e.fingerprint()).append('=').append(e.keepUntil()).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String entriesAnnotation(Map<String, List<Entry>> entries) {
        List<String> written = new ArrayList<>();
        entries.forEach((signer, list) -> list.forEach(e -> written.add(SignerNames.shortName(signer) + "/"
                + e.fingerprint() + "=" + e.keepUntil())));
        return String.join(",", written);
    }

    static String proofsAnnotation(Map<String, CaRegistry.Vouch> proofs) {
        List<String> written = new ArrayList<>();
        proofs.forEach((signer, vouch) -> written.add(SignerNames.shortName(signer) + "/" + vouch.caFingerprint()
                + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(vouch.signature())));
        return String.join(",", written);
    }

    /** {@code <signer>/<key>=<value>} items by signer (full name), then key. */
    private static Map<String, Map<String, String>> split(String annotation) {
        Map<String, Map<String, String>> items = new LinkedHashMap<>();
        if (annotation == null || annotation.isBlank()) {
            return items;
        }
        for (String item : annotation.split(",")) {
            int equals = item.indexOf('=');
            int slash = equals < 0 ? -1 : item.lastIndexOf('/', equals);
            if (slash <= 0) {
                continue;
            }
            String signer = SignerNames.fullName(item.substring(0, slash).trim());
            items.computeIfAbsent(signer, s -> new LinkedHashMap<>()).put(item.substring(slash + 1, equals).trim(),
                    item.substring(equals + 1).trim());
        }
        return items;
    }
}
