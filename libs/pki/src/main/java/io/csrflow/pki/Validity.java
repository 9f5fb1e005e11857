package io.csrflow.pki;

import java.time.Duration;
import java.time.Instant;

/**
 * The validity window of a certificate, as kube-controller-manager's signer computes it:
 * TTL = min(spec.expirationSeconds, maximum), at least 10 minutes; NotBefore = now − 5 min;
 * NotAfter = now + TTL, or NotBefore + TTL when TTL ≥ 8 h; never past the CA's NotAfter; nothing
 * is signed with a CA that has expired or is not valid yet.
 */
public record Validity(Instant notBefore, Instant notAfter) {
    public static final Duration BACKDATE = Duration.ofMinutes(5);
    public static final Duration SHORT = Duration.ofHours(8);
    public static final Duration MINIMUM = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MAXIMUM = Duration.ofHours(8760);

    /**
     * @throws SigningFailedException (CA_UNUSABLE) when the CA has expired or is not valid yet: the
     *         CA, not the request, is at fault
     */
    public static Validity compute(Instant now, Integer expirationSeconds, Duration maximum, Instant caNotBefore,
            Instant caNotAfter) {
        if (!now.isBefore(caNotAfter)) {
            throw new SigningFailedException(SigningFailedException.Reason.CA_UNUSABLE,
                    "the CA certificate expired at " + caNotAfter + "; nothing is signed with it");
        }
        if (now.isBefore(caNotBefore)) {
            throw new SigningFailedException(SigningFailedException.Reason.CA_UNUSABLE,
                    "the CA certificate is not valid before " + caNotBefore);
        }
        Duration ttl = maximum;
        if (expirationSeconds != null && Duration.ofSeconds(expirationSeconds).compareTo(ttl) < 0) {
            ttl = Duration.ofSeconds(expirationSeconds);
        }
        if (ttl.compareTo(MINIMUM) < 0) {
            ttl = MINIMUM;
        }
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = ttl.compareTo(SHORT) < 0 ? now.plus(ttl) : notBefore.plus(ttl);
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        return new Validity(truncate(notBefore), truncate(notAfter));
    }

    /** X.509 times have second precision. */
    private static Instant truncate(Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
}
