package io.csrflow.emulator;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The key of a PodCertificateRequest and the proof that the kubelet holds its private half, as
 * {@code ValidatePodCertificateRequestCreate} checks them: {@code spec.pkixPublicKey} must parse as Go's
 * {@code x509.ParsePKIXPublicKey} parses it; of what parses, only Ed25519, ECDSA on P-256, P-384 or P-521
 * and RSA with a 3072- or 4096-bit modulus; {@code spec.proofOfPossession} must be that key's signature
 * over the bytes of {@code spec.podUID}: Ed25519 over them as they are, ECDSA (ASN.1) and RSASSA-PSS
 * over their SHA-256. Go verifies PSS with nil options, which reads the salt length from the signature;
 * {@link #verifyPss} does the same (RFC 8017, 9.1.2), so a kubelet may sign with any salt length.
 * The signer's own check (libs/pki ProofOfPossession) is written apart on purpose: the emulator stands
 * in for kube-apiserver, and a fault shared with the service under test would hide in both.
 */
final class ProofOfPossessionCheck {
    static final String PKIX_FIELD = "spec.pkixPublicKey";
    static final String PROOF_FIELD = "spec.proofOfPossession";
    static final String NOT_PKIX = "must be a valid PKIX-serialized public key";
    private static final String NOT_VERIFIED = "could not verify proof-of-possession signature";

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final ASN1ObjectIdentifier EC = new ASN1ObjectIdentifier("1.2.840.10045.2.1");
    private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
    private static final ASN1ObjectIdentifier X25519 = new ASN1ObjectIdentifier("1.3.101.110");
    private static final ASN1ObjectIdentifier DSA = new ASN1ObjectIdentifier("1.2.840.10040.4.1");
    /** The curves Go's x509 parses. */
    private static final Map<String, String> CURVES = Map.of("1.3.132.0.33", "P-224", "1.2.840.10045.3.1.7",
            "P-256", "1.3.132.0.34", "P-384", "1.3.132.0.35", "P-521");
    private static final int SHA256_LENGTH = 32;

    /** The key types Go's parser returns that the validation tells apart. */
    enum KeyType { ED25519, ECDSA, RSA, OTHER }

    /**
     * A key as {@code x509.ParsePKIXPublicKey} returns it: its type, the curve of an ECDSA key, the
     * numbers of an RSA key, and the SubjectPublicKeyInfo it came from.
     */
    record ParsedKey(KeyType type, String curve, BigInteger modulus, BigInteger exponent, PublicKey jca,
                     SubjectPublicKeyInfo info) {
    }

    private ProofOfPossessionCheck() {
    }

    /** What is wrong with the key or the proof (at most one error, as the validation stops at the first). */
    static FieldError problem(byte[] pkix, byte[] proof, String podUid) {
        ParsedKey key = parse(pkix);
        if (key == null) {
            return FieldError.invalid(PKIX_FIELD, FieldError.bytes(pkix), NOT_PKIX);
        }
        byte[] signed = podUid.getBytes(StandardCharsets.UTF_8);
        byte[] signature = proof == null ? new byte[0] : proof;
        boolean verified;
        switch (key.type()) {
            case ED25519 -> verified = verify("Ed25519", key.jca(), signed, signature);
            case ECDSA -> {
                if (!key.curve().equals("P-256") && !key.curve().equals("P-384") && !key.curve().equals("P-521")) {
                    // Go's words, although P-521 is accepted too.
                    return FieldError.invalid(PKIX_FIELD, FieldError.quote("curve " + key.curve()),
                            "elliptic public keys must use curve P256 or P384");
                }
                verified = verify("SHA256withECDSA", key.jca(), signed, signature);
            }
            case RSA -> {
                int bits = (key.modulus().bitLength() + 7) / 8 * 8;
                if (bits != 3072 && bits != 4096) {
                    return FieldError.invalid(PKIX_FIELD, FieldError.quote(bits + "-bit modulus"),
                            "RSA keys must have modulus size 3072 or 4096");
                }
                verified = verifyPss(key.modulus(), key.exponent(), sha256(signed), signature);
            }
            default -> {
                return FieldError.invalid(PKIX_FIELD, FieldError.bytes(pkix),
                        "unknown public key type; supported types are Ed25519, ECDSA, and RSA");
            }
        }
        return verified ? null : FieldError.invalid(PROOF_FIELD, null, NOT_VERIFIED);
    }

    /**
     * {@code x509.ParsePKIXPublicKey}: one SubjectPublicKeyInfo and nothing after it, of an algorithm Go
     * knows, with the parameters and encoding Go insists on; null where Go returns an error.
     */
    static ParsedKey parse(byte[] der) {
        if (der == null || der.length == 0) {
            return null;
        }
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        ASN1Encodable parameters = info.getAlgorithm().getParameters();
        byte[] data = info.getPublicKeyData().getOctets();
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return rsa(info, parameters, data);
        }
        if (algorithm.equals(EC)) {
            String curve = parameters instanceof ASN1ObjectIdentifier oid ? CURVES.get(oid.getId()) : null;
            // Go reads uncompressed points only (elliptic.Unmarshal), and only points on the curve.
            if (curve == null || data.length == 0 || data[0] != 0x04) {
                return null;
            }
            PublicKey key = jca(info, "EC");
            return key == null ? null : new ParsedKey(KeyType.ECDSA, curve, null, null, key, info);
        }
        if (algorithm.equals(ED25519)) {
            PublicKey key = parameters == null && data.length == 32 ? jca(info, "Ed25519") : null;
            return key == null ? null : new ParsedKey(KeyType.ED25519, null, null, null, key, info);
        }
        if (algorithm.equals(X25519)) {
            return parameters == null && data.length == 32
                    ? new ParsedKey(KeyType.OTHER, null, null, null, null, info) : null;
        }
        if (algorithm.equals(DSA)) {
            return new ParsedKey(KeyType.OTHER, null, null, null, null, info);
        }
        return null;
    }

    /**
     * {@code PublicKey.Equal} between the requested key and a certificate's: the same algorithm, the
     * same curve, the same key bits.
     */
    static boolean sameKey(ParsedKey wanted, SubjectPublicKeyInfo certificateKey) {
        ParsedKey other = parse(encoded(certificateKey));
        if (other == null || other.type() != wanted.type()) {
            return false;
        }
        if (wanted.type() == KeyType.RSA) {
            return wanted.modulus().equals(other.modulus()) && wanted.exponent().equals(other.exponent());
        }
        return java.util.Objects.equals(wanted.curve(), other.curve()) && Arrays.equals(
                wanted.info().getPublicKeyData().getOctets(), other.info().getPublicKeyData().getOctets());
    }

    private static ParsedKey rsa(SubjectPublicKeyInfo info, ASN1Encodable parameters, byte[] data) {
        if (!(parameters instanceof ASN1Primitive p) || !p.equals(DERNull.INSTANCE)) {
            return null;
        }
        try {
            ASN1Sequence key = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(data));
            if (key.size() != 2) {
                return null;
            }
            BigInteger modulus = ASN1Integer.getInstance(key.getObjectAt(0)).getValue();
            BigInteger exponent = ASN1Integer.getInstance(key.getObjectAt(1)).getValue();
            // Go reads the exponent into an int: positive and at most 2^63-1.
            if (modulus.signum() <= 0 || exponent.signum() <= 0 || exponent.bitLength() > 63) {
                return null;
            }
            return new ParsedKey(KeyType.RSA, null, modulus, exponent, null, info);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static PublicKey jca(SubjectPublicKeyInfo info, String algorithm) {
        try {
            return KeyFactory.getInstance(algorithm, BC).generatePublic(new X509EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] encoded(SubjectPublicKeyInfo info) {
        try {
            return info.getEncoded();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean verify(String algorithm, PublicKey key, byte[] signed, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm, BC);
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * RSASSA-PSS verification with SHA-256 and MGF1-SHA-256 of a signature over {@code digest}, the
     * salt length read from the encoded message as {@code rsa.VerifyPSS} does with nil options.
     */
    static boolean verifyPss(BigInteger modulus, BigInteger exponent, byte[] digest, byte[] signature) {
        int size = (modulus.bitLength() + 7) / 8;
        if (signature.length != size) {
            return false;
        }
        BigInteger s = new BigInteger(1, signature);
        if (s.compareTo(modulus) >= 0) {
            return false;
        }
        byte[] m = fixedLength(s.modPow(exponent, modulus), size);
        int emBits = modulus.bitLength() - 1;
        int emLength = (emBits + 7) / 8;
        for (int i = 0; i < size - emLength; i++) {
            if (m[i] != 0) {
                return false;
            }
        }
        byte[] em = Arrays.copyOfRange(m, size - emLength, size);
        if (emLength < SHA256_LENGTH + 2 || em[emLength - 1] != (byte) 0xbc) {
            return false;
        }
        byte[] maskedDb = Arrays.copyOfRange(em, 0, emLength - SHA256_LENGTH - 1);
        byte[] h = Arrays.copyOfRange(em, emLength - SHA256_LENGTH - 1, emLength - 1);
        int keptBits = 0xff >>> (8 * emLength - emBits);
        if ((maskedDb[0] & ~keptBits & 0xff) != 0) {
            return false;
        }
        byte[] db = mgf1(h, maskedDb.length);
        for (int i = 0; i < db.length; i++) {
            db[i] ^= maskedDb[i];
        }
        db[0] &= (byte) keptBits;
        int separator = 0;
        while (separator < db.length && db[separator] == 0) {
            separator++;
        }
        if (separator == db.length || db[separator] != 0x01) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(db, separator + 1, db.length);
        MessageDigest sha256 = sha256();
        sha256.update(new byte[8]);
        sha256.update(digest);
        sha256.update(salt);
        return MessageDigest.isEqual(h, sha256.digest());
    }

    /** MGF1 with SHA-256 (RFC 8017, B.2.1). */
    private static byte[] mgf1(byte[] seed, int length) {
        byte[] mask = new byte[length];
        int offset = 0;
        for (int counter = 0; offset < length; counter++) {
            MessageDigest sha256 = sha256();
            sha256.update(seed);
            sha256.update(new byte[] {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8),
                    (byte) counter});
            byte[] block = sha256.digest();
            int n = Math.min(block.length, length - offset);
            System.arraycopy(block, 0, mask, offset, n);
            offset += n;
        }
        return mask;
    }

    private static byte[] fixedLength(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length == length) {
            return bytes;
        }
        byte[] fixed = new byte[length];
        int copied = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copied, fixed, length - copied, copied);
        return fixed;
    }

    static byte[] sha256(byte[] data) {
        return sha256().digest(data);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
