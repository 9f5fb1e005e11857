package io.csrflow.pki;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which public keys are strong enough: RSA between {@code rsaMinBits} and {@code rsaMaxBits} with
 * an allowed public exponent, EC on an allowed curve, and only the listed algorithms.
 */
public record KeyPolicy(Set<String> algorithms, int rsaMinBits, int rsaMaxBits, Set<BigInteger> rsaExponents,
                        Set<String> ecCurves) {

    public static KeyPolicy defaults() {
        return new KeyPolicy(Set.of("RSA", "EC"), 2048, 4096, Set.of(BigInteger.valueOf(65537)),
                Set.of("P-256", "P-384"));
    }

    /** Why the key is refused, or empty when it is acceptable. */
    public Optional<String> violation(KeyDescription key) {
        if (!algorithms.contains(key.algorithm())) {
            return Optional.of(key.algorithm() + " keys are not accepted (allowed: " + sorted(algorithms) + ")");
        }
        if (key.algorithm().equals("RSA")) {
            if (key.bits() < rsaMinBits || key.bits() > rsaMaxBits) {
                return Optional.of("RSA key of " + key.bits() + " bits; " + rsaMinBits + " to " + rsaMaxBits
                        + " are accepted");
            }
            if (!rsaExponents.contains(key.rsaExponent())) {
                return Optional.of("RSA public exponent " + key.rsaExponent() + " is not accepted (allowed: "
                        + sorted(rsaExponents) + ")");
            }
        }
        if (key.algorithm().equals("EC") && !ecCurves.contains(key.curve())) {
            return Optional.of("EC curve " + key.curve() + " is not accepted (allowed: " + sorted(ecCurves) + ")");
        }
        return Optional.empty();
    }

    /** {@link #violation} as a rejection. */
    public void check(KeyDescription key) throws CsrRejectedException {
        Optional<String> violation = violation(key);
        if (violation.isPresent()) {
            throw new CsrRejectedException(CsrRejection.WEAK_KEY, violation.get());
        }
    }

    private static List<String> sorted(Set<?> values) {
        return values.stream().map(String::valueOf).sorted().toList();
    }
}
