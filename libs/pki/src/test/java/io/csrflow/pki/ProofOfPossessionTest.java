package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Proofs made by the JDK's own signers, as a kubelet makes them, checked by {@link ProofOfPossession}. */
class ProofOfPossessionTest {
    private static final String UID = "4b1c3a9e-0f6d-4c1e-9a7b-2d8e5f6a7b8c";
    private static final Map<PodKeyType, KeyPair> KEYS = new ConcurrentHashMap<>();

    @ParameterizedTest
    @EnumSource(PodKeyType.class)
    void aProofOverThePodUidVerifiesAndNothingElseDoes(PodKeyType type) throws Exception {
        KeyPair key = key(type);
        byte[] spki = key.getPublic().getEncoded();
        assertEquals(type, PodKeyType.of(spki));
        byte[] proof = sign(type, key, UID, -1);
        assertTrue(ProofOfPossession.verify(type, spki, UID, proof));
        assertFalse(ProofOfPossession.verify(type, spki, UID + "x", proof), "another pod's UID");
        assertFalse(ProofOfPossession.verify(type, key(other(type)).getPublic().getEncoded(), UID, proof),
                "another key");
        byte[] flipped = proof.clone();
        flipped[flipped.length / 2] ^= 1;
        assertFalse(ProofOfPossession.verify(type, spki, UID, flipped), "a changed signature");
        assertFalse(ProofOfPossession.verify(type, spki, UID, new byte[0]), "no signature");
    }

    /** Go's signer uses the longest salt, Java's and OpenSSL's often the hash length: the API accepts any. */
    @ParameterizedTest
    @CsvSource({"RSA3072, 32", "RSA3072, 0", "RSA3072, -1", "RSA4096, 20", "RSA4096, -1"})
    void rsaProofsVerifyWithAnySaltLength(PodKeyType type, int saltLength) throws Exception {
        KeyPair key = key(type);
        assertTrue(ProofOfPossession.verify(type, key.getPublic().getEncoded(), UID, sign(type, key, UID, saltLength)));
    }

    /** Malformed RSA proofs: one byte short, the modulus itself (s ≥ n), all zeros. */
    @Test
    void malformedRsaProofsDoNotVerify() throws Exception {
        KeyPair key = key(PodKeyType.RSA3072);
        byte[] spki = key.getPublic().getEncoded();
        byte[] proof = sign(PodKeyType.RSA3072, key, UID, -1);
        assertFalse(ProofOfPossession.verify(PodKeyType.RSA3072, spki, UID, Arrays.copyOf(proof, proof.length - 1)));
        byte[] modulus = ((RSAPublicKey) key.getPublic()).getModulus().toByteArray();
        assertFalse(ProofOfPossession.verify(PodKeyType.RSA3072, spki, UID, Arrays.copyOfRange(modulus,
                modulus.length - proof.length, modulus.length)));
        assertFalse(ProofOfPossession.verify(PodKeyType.RSA3072, spki, UID, new byte[proof.length]));
    }

    @Test
    void rsaKeysWithAnExponentOtherThan65537HaveNoType() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(new RSAKeyGenParameterSpec(3072, BigInteger.valueOf(3)));
        CsrRejectedException e = assertThrows(CsrRejectedException.class,
                () -> PodKeyType.of(generator.generateKeyPair().getPublic().getEncoded()));
        assertTrue(e.getMessage().contains("RSA public exponent 3 is not accepted"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"RSA, 2048", "Ed448, 0"})
    void keysOutsideTheApisListHaveNoType(String algorithm, int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (bits > 0) {
            generator.initialize(bits);
        }
        CsrRejectedException e = assertThrows(CsrRejectedException.class,
                () -> PodKeyType.of(generator.generateKeyPair().getPublic().getEncoded()));
        assertTrue(e.getMessage().contains("not a pod certificate key type") || e.getMessage().contains("not supported"),
                e.getMessage());
        assertThrows(CsrRejectedException.class, () -> PodKeyType.of("not a key".getBytes(StandardCharsets.US_ASCII)));
    }

    private static PodKeyType other(PodKeyType type) {
        return type == PodKeyType.ECDSAP256 ? PodKeyType.ECDSAP384 : type == PodKeyType.RSA3072 ? PodKeyType.RSA4096
                : type == PodKeyType.RSA4096 ? PodKeyType.RSA3072 : type == PodKeyType.ECDSAP384 ? PodKeyType.ECDSAP256
                : PodKeyType.ECDSAP256;
    }

    private static KeyPair key(PodKeyType type) {
        return KEYS.computeIfAbsent(type, ProofOfPossessionTest::generate);
    }

    private static KeyPair generate(PodKeyType type) {
        try {
            KeyPairGenerator generator;
            switch (type) {
                case RSA3072, RSA4096 -> {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(type == PodKeyType.RSA3072 ? 3072 : 4096);
                }
                case ED25519 -> generator = KeyPairGenerator.getInstance("Ed25519");
                default -> {
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec(switch (type) {
                        case ECDSAP256 -> "secp256r1";
                        case ECDSAP384 -> "secp384r1";
                        default -> "secp521r1";
                    }));
                }
            }
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code saltLength} −1: the longest salt, as Go's {@code rsa.SignPSS} with nil options uses. */
    static byte[] sign(PodKeyType type, KeyPair key, String uid, int saltLength) throws Exception {
        byte[] message = uid.getBytes(StandardCharsets.US_ASCII);
        Signature signer = switch (type) {
            case ED25519 -> Signature.getInstance("Ed25519");
            case RSA3072, RSA4096 -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                int bits = type == PodKeyType.RSA3072 ? 3072 : 4096;
                int salt = saltLength >= 0 ? saltLength : (bits - 1 + 7) / 8 - 2 - 32;
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1));
                yield pss;
            }
            default -> Signature.getInstance("SHA256withECDSA");
        };
        signer.initSign(key.getPrivate());
        signer.update(message);
        return signer.sign();
    }
}
