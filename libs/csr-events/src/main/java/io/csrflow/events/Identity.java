package io.csrflow.events;

/**
 * Whose certificate it is: a signer name and a subject common name, e.g. one kubelet's client
 * certificate. {@link #key()} is the Kafka key of {@code cert.*} events; signer names never
 * contain '|', so the first '|' separates the two parts.
 */
public record Identity(String signerName, String commonName) {
    private static final char SEPARATOR = '|';

    public Identity {
        Require.field(signerName, "signerName");
        Require.field(commonName, "commonName");
        if (signerName.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("signer name must not contain '|': " + signerName);
        }
    }

    public String key() {
        return signerName + SEPARATOR + commonName;
    }

    public static Identity parse(String key) {
        int at = key == null ? -1 : key.indexOf(SEPARATOR);
        if (at <= 0) {
            throw new IllegalArgumentException("not an identity key (signerName|commonName): " + key);
        }
        return new Identity(key.substring(0, at), key.substring(at + 1));
    }
}
