package io.csrflow.pki;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Signatures a CA key makes over data that is not a certificate (the check that a key belongs to its
 * certificate, the signer's record of replaced CAs), and their verification with the CA certificate.
 */
public final class CaSignatures {
    private CaSignatures() {
    }

    /** {@code data} signed with {@code key}, by {@code provider} (a token's own, for a key in a token). */
    public static byte[] sign(PrivateKey key, String algorithm, Provider provider, byte[] data)
            throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm, provider);
        signer.initSign(key);
        signer.update(data);
        return signer.sign();
    }

    /**
     * Whether {@code signature} over {@code data} verifies with the key of {@code ca}, in the algorithm a
     * CA with that key signs with here; false for anything that does not verify or cannot be checked.
     */
    public static boolean verifies(X509Certificate ca, Provider provider, byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(CaLoader.signatureAlgorithm(ca.getPublicKey()), provider);
            verifier.initVerify(ca.getPublicKey());
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
