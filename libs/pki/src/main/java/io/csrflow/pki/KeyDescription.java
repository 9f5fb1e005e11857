package io.csrflow.pki;

import java.math.BigInteger;

/**
 * What kind of key a CSR carries: {@code RSA} with its size and public exponent, {@code EC} with
 * its curve ({@code P-256}, ...), or another algorithm by name.
 */
public record KeyDescription(String algorithm, int bits, String curve, BigInteger rsaExponent) {

    @Override
    public String toString() {
        return switch (algorithm) {
            case "RSA" -> "RSA " + bits + " bits, e=" + rsaExponent;
            case "EC" -> "ECDSA " + (curve == null ? "unknown curve" : curve);
            default -> algorithm;
        };
    }
}
