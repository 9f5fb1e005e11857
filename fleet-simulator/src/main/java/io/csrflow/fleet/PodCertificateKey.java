package io.csrflow.fleet;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.csrflow.pki.Pem;

/**
 * The key the kubelet generates for a {@code podCertificate} volume, one per request, and its proof
 * of possession: a signature over the ASCII bytes of the pod's UID, made as the kubelet's
 * {@code generateKeyAndProof} makes it, so that the API server's check of it is exercised as a real
 * kubelet exercises it.
 */
record PodCertificateKey(Type type, KeyMaterial key) {
    private static final int SHA256_LENGTH = 32;

    /** The key types of the API ({@code spec.keyType} of the volume source), with how each is made and signs. */
    enum Type {
        RSA3072, RSA4096, ECDSAP256, ECDSAP384, ECDSAP521, ED25519;

        /** {@code ECDSAP256} or {@code ecdsap256}; anything else is answered with the list. */
        static Type parse(String option, String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + option + " must be one of " + Arrays.stream(values())
                        .map(Type::name).collect(Collectors.joining(", ")) + ", got '" + text + "'");
            }
        }

        private KeyPairGenerator generator() throws GeneralSecurityException {
            return switch (this) {
                case RSA3072, RSA4096 -> {
                    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                    rsa.initialize(this == RSA3072 ? 3072 : 4096);
                    yield rsa;
                }
                case ECDSAP256, ECDSAP384, ECDSAP521 -> {
                    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                    ec.initialize(new ECGenParameterSpec(switch (this) {
                        case ECDSAP256 -> "secp256r1";
                        case ECDSAP384 -> "secp384r1";
                        default -> "secp521r1";
                    }));
                    yield ec;
                }
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519");
            };
        }
    }

    /** A fresh key of {@code type}. */
    static PodCertificateKey generate(Type type) {
        try {
            return new PodCertificateKey(type, KeyMaterial.of(type.generator().generateKeyPair()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(type + " keys are part of every Java 17 platform", e);
        }
    }

    /** {@code spec.pkixPublicKey}: the DER SubjectPublicKeyInfo. */
    byte[] pkixPublicKey() {
        return key.keys().getPublic().getEncoded();
    }

    /**
     * {@code spec.proofOfPossession} for the pod with {@code podUid}: Ed25519 over the UID's bytes;
     * ECDSA (ASN.1) and RSASSA-PSS over their SHA-256, PSS with MGF1-SHA-256 and the longest salt the
     * key allows, which is what Go's {@code rsa.SignPSS} does without options.
     */
    byte[] proofOfPossession(String podUid) {
        byte[] message = podUid.getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signature = switch (type) {
                case ED25519 -> Signature.getInstance("Ed25519");
                case ECDSAP256, ECDSAP384, ECDSAP521 -> Signature.getInstance("SHA256withECDSA");
                case RSA3072, RSA4096 -> {
                    Signature pss = Signature.getInstance("RSASSA-PSS");
                    pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                            maxPssSaltLength((RSAPublicKey) key.keys().getPublic()), PSSParameterSpec.TRAILER_FIELD_BC));
                    yield pss;
                }
            };
            signature.initSign(key.keys().getPrivate());
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with a freshly generated " + type + " key", e);
        }
    }

    /** RFC 8017 §9.1.1: emLen − hLen − 2, emLen being ⌈(modBits − 1) / 8⌉. */
    static int maxPssSaltLength(RSAPublicKey key) {
        int emLength = (key.getModulus().bitLength() - 1 + 7) / 8;
        return emLength - SHA256_LENGTH - 2;
    }

    /**
     * The credential bundle the kubelet writes at {@code credentialBundlePath}: the PKCS#8 key as a
     * PRIVATE KEY block, then the certificate chain, leaf first.
     */
    String credentialBundle(List<X509Certificate> chain) {
        // Only the certificates, re-encoded: the kubelet drops headers and text between the blocks.
        return key.privateKeyPem() + Pem.of(chain);
    }
}
