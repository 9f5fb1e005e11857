package io.csrflow.pki;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The kubelet's rotation deadline, NotBefore + T·(0.7 + 0.2·U), T = NotAfter − NotBefore, with U
 * taken from the certificate's serial instead of a random source, so that every replica and every
 * restart arrives at the same instant: the rotation-scheduler announces renewal at it, and the signer
 * tells a pod's kubelet to begin refreshing at it. Millisecond arithmetic keeps the deadline inside
 * [0.7·T, 0.9·T) exactly, where floating point could round onto 0.9·T.
 */
public final class RotationDeadline {
    private RotationDeadline() {
    }

    public static Instant of(String serial, Instant notBefore, Instant notAfter) {
        long total = Duration.between(notBefore, notAfter).toMillis();
        long base = (total * 7 + 9) / 10;
        long span = total * 2 / 10;
        long jitter = span == 0 ? 0 : Math.min(span - 1, (long) (span * unitFromSerial(serial)));
        return notBefore.plusMillis(base + jitter);
    }

    /** U in [0, 1): the first 53 bits of SHA-256 over the serial's canonical (lower-case, unpadded) hex. */
    public static double unitFromSerial(String serial) {
        String canonical = serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.US_ASCII));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (digest[i] & 0xff);
            }
            return (bits >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
