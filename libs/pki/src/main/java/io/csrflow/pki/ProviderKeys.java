package io.csrflow.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CA certificate's public key as a provider's own key object, made once per certificate and
 * provider. The certificate's key is the JDK's (SunEC, SunRsaSign); handed it for every
 * verification, a native provider such as ACCP converts it into its own each time, an encoding and
 * a parse (and for RSA its Montgomery set-up) per certificate issued. The key is the same: only the
 * object that holds it differs.
 */
final class ProviderKeys {
    // CA certificates change at rotations only; the bound keeps a long-lived process from collecting old ones.
    private static final int CAPACITY = 32;
    private static final Map<Entry, PublicKey> KEYS = new ConcurrentHashMap<>();

    private ProviderKeys() {
    }

    /** The certificate's public key as {@code provider} holds keys, or the certificate's own where it cannot. */
    static PublicKey of(X509Certificate certificate, Provider provider) {
        Entry entry = new Entry(certificate, provider);
        PublicKey key = KEYS.get(entry);
        if (key != null) {
            return key;
        }
        key = convert(certificate.getPublicKey(), provider);
        if (KEYS.size() >= CAPACITY) {
            KEYS.clear();
        }
        KEYS.put(entry, key);
        return key;
    }

    private static PublicKey convert(PublicKey key, Provider provider) {
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), provider)
                    .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            // A provider without a KeyFactory for the algorithm converts (or refuses) the key as before.
            return key;
        }
    }

    /** By identity: a Provider's equals compares all its properties, and one CA certificate object serves many signings. */
    private static final class Entry {
        private final X509Certificate certificate;
        private final Provider provider;

        Entry(X509Certificate certificate, Provider provider) {
            this.certificate = certificate;
            this.provider = provider;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Entry e && e.certificate == certificate && e.provider == provider;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(certificate) + System.identityHashCode(provider);
        }
    }
}
