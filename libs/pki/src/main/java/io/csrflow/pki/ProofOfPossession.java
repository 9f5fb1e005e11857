package io.csrflow.pki;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The proof of possession of a PodCertificateRequest, as the API defines it: a signature by the
 * requested key over the bytes of the pod's UID (UTF-8, as Go reads a string; UIDs are ASCII).
 * Ed25519 signs the bytes; ECDSA signs their SHA-256 (ASN.1 DER signature); RSA signs their SHA-256
 * with RSASSA-PSS, SHA-256 and MGF1-SHA-256, and any salt length (Go's {@code rsa.VerifyPSS} with nil options detects it; Go's signer uses the
 * longest, other signers often the hash length), which Java's PSS verifier cannot do: it needs the
 * salt length up front. The API server checks it when the request is created; the signer checks it
 * again, as it re-checks everything it signs for.
 */
public final class ProofOfPossession {
    private static final int HASH_LENGTH = 32;

    private ProofOfPossession() {
    }

    /** Whether {@code signature} is {@code pkixPublicKey}'s proof over {@code podUid}; false for anything malformed. */
    public static boolean verify(PodKeyType type, byte[] pkixPublicKey, String podUid, byte[] signature) {
        byte[] message = podUid.getBytes(StandardCharsets.UTF_8);
        try {
            return switch (type) {
                case ED25519 -> signature(KeyFactory.getInstance("Ed25519").generatePublic(
                        new X509EncodedKeySpec(pkixPublicKey)), "Ed25519", message, signature);
                case ECDSAP256, ECDSAP384, ECDSAP521 -> signature(KeyFactory.getInstance("EC").generatePublic(
                        new X509EncodedKeySpec(pkixPublicKey)), "SHA256withECDSA", message, signature);
                case RSA3072, RSA4096 -> pss((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                        new X509EncodedKeySpec(pkixPublicKey)), sha256(message), signature);
            };
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean signature(PublicKey key, String algorithm, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    /** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) after the RSA public operation, the salt length read from the encoding. */
    static boolean pss(RSAPublicKey key, byte[] messageHash, byte[] signature) throws GeneralSecurityException {
        BigInteger n = key.getModulus();
        int modBits = n.bitLength();
        int k = (modBits + 7) / 8;
        if (signature.length != k) {
            return false;
        }
        BigInteger s = new BigInteger(1, signature);
        if (s.compareTo(n) >= 0) {
            return false;
        }
        int emBits = modBits - 1;
        int emLen = (emBits + 7) / 8;
        byte[] em = unsigned(s.modPow(key.getPublicExponent(), n), emLen);
        if (em == null || emLen < HASH_LENGTH + 2 || (em[emLen - 1] & 0xff) != 0xbc) {
            return false;
        }
        int dbLen = emLen - HASH_LENGTH - 1;
        byte[] db = Arrays.copyOfRange(em, 0, dbLen);
        byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + HASH_LENGTH);
        int unusedBits = 8 * emLen - emBits;
        int topMask = 0xff >>> unusedBits;
        if ((db[0] & ~topMask & 0xff) != 0) {
            return false;
        }
        byte[] mask = mgf1(h, dbLen);
        for (int i = 0; i < dbLen; i++) {
            db[i] ^= mask[i];
        }
        db[0] &= (byte) topMask;
        int separator = 0;
        while (separator < dbLen && db[separator] == 0) {
            separator++;
        }
        if (separator == dbLen || db[separator] != 1) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(db, separator + 1, dbLen);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(new byte[8]);
        digest.update(messageHash);
        digest.update(salt);
        return MessageDigest.isEqual(digest.digest(), h);
    }

    private static byte[] mgf1(byte[] seed, int length) throws GeneralSecurityException {
        byte[] out = new byte[length];
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (int counter = 0, at = 0; at < length; counter++) {
            digest.update(seed);
            digest.update(new byte[] {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8),
                    (byte) counter});
            byte[] block = digest.digest();
            int n = Math.min(block.length, length - at);
            System.arraycopy(block, 0, out, at, n);
            at += n;
        }
        return out;
    }

    /** The big-endian unsigned encoding of {@code value} in exactly {@code length} bytes, or null if it is longer. */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        int start = 0;
        while (start < bytes.length - 1 && bytes[start] == 0) {
            start++;
        }
        int significant = bytes.length - start;
        if (significant > length) {
            return null;
        }
        byte[] out = new byte[length];
        System.arraycopy(bytes, start, out, length - significant, significant);
        return out;
    }

    private static byte[] sha256(byte[] message) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(message);
    }
}
