package io.csrflow.pki;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The key types a PodCertificateRequest may carry, named as the kubelet's {@code podCertificate}
 * volume source and the API name them. The API server accepts only these; a signer may support
 * fewer and must then deny with reason {@code UnsupportedKeyType}.
 */
public enum PodKeyType {
    RSA3072("RSA", 3072, null),
    RSA4096("RSA", 4096, null),
    ECDSAP256("EC", 0, "P-256"),
    ECDSAP384("EC", 0, "P-384"),
    ECDSAP521("EC", 0, "P-521"),
    ED25519("Ed25519", 0, null);

    private final String algorithm;
    private final int rsaBits;
    private final String curve;

    PodKeyType(String algorithm, int rsaBits, String curve) {
        this.algorithm = algorithm;
        this.rsaBits = rsaBits;
        this.curve = curve;
    }

    private static final BigInteger RSA_EXPONENT = BigInteger.valueOf(65537);
    /** A SubjectPublicKeyInfo nests four deep; anything deeper is not one. */
    private static final int MAX_DEPTH = 4;

    /** The key type of a DER SubjectPublicKeyInfo, or why it is none of them. */
    public static PodKeyType of(byte[] pkixPublicKey) throws CsrRejectedException {
        if (pkixPublicKey == null || !DerDepth.within(pkixPublicKey, MAX_DEPTH)) {
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "pkixPublicKey is not one DER value");
        }
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(pkixPublicKey);
        } catch (RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "pkixPublicKey is not a DER "
                    + "SubjectPublicKeyInfo: " + e.getMessage());
        }
        KeyDescription key = PublicKeyInfo.describe(spki);
        // As for CSR keys (KeyPolicy): other exponents are unusual, some weak, and large ones slow to verify.
        if (key.algorithm().equals("RSA") && !RSA_EXPONENT.equals(key.rsaExponent())) {
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "RSA public exponent " + key.rsaExponent()
                    + " is not accepted (" + RSA_EXPONENT + " is)");
        }
        return Arrays.stream(values()).filter(t -> t.matches(key)).findFirst()
                .orElseThrow(() -> new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, key
                        + " is not a pod certificate key type (RSA3072, RSA4096, ECDSAP256, ECDSAP384, ECDSAP521, "
                        + "ED25519)"));
    }

    /** A configured name, in any letter case. */
    public static Optional<PodKeyType> named(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name.trim().toUpperCase(Locale.ROOT)))
                .findFirst();
    }

    private boolean matches(KeyDescription key) {
        if (!algorithm.equals(key.algorithm())) {
            return false;
        }
        return switch (algorithm) {
            case "RSA" -> key.bits() == rsaBits;
            case "EC" -> curve.equals(key.curve());
            default -> true;
        };
    }
}
