package io.csrflow.scheduler.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.csrflow.pki.RotationDeadline;

/**
 * When a certificate must be renewed. The default is the kubelet's own rule, so csrflow's notice
 * comes when the kubelet itself would rotate; an operator may instead choose cert-manager's
 * {@code renewBefore} or {@code renewBeforePercentage}.
 */
public sealed interface DeadlinePolicy {

    Instant deadline(String serial, Instant notBefore, Instant notAfter);

    /** Human-readable, for logs and the HTTP view. */
    String describe();

    /**
     * The policy for the configured values: neither set means the kubelet's rule; both set is a
     * configuration error, as it is in cert-manager.
     */
    static DeadlinePolicy of(Optional<Duration> renewBefore, Optional<Integer> renewBeforePercentage) {
        if (renewBefore.isPresent() && renewBeforePercentage.isPresent()) {
            throw new IllegalArgumentException("csrflow.scheduler.renew-before and "
                    + "csrflow.scheduler.renew-before-percentage are exclusive; set at most one");
        }
        if (renewBefore.isPresent()) {
            return new RenewBefore(renewBefore.get());
        }
        return renewBeforePercentage.<DeadlinePolicy>map(RenewBeforePercentage::new).orElse(new KubeletJitter());
    }

    /**
     * NotBefore + T·(0.7 + 0.2·U), T = NotAfter − NotBefore, as the kubelet's certificate manager
     * computes it, with U from the serial ({@link RotationDeadline}, which the signer also uses for a
     * pod certificate's beginRefreshAt), so that every replica and every restart arrives at the same instant.
     */
    record KubeletJitter() implements DeadlinePolicy {
        @Override
        public Instant deadline(String serial, Instant notBefore, Instant notAfter) {
            return RotationDeadline.of(serial, notBefore, notAfter);
        }

        @Override
        public String describe() {
            return "kubelet: NotBefore + T*(0.7 + 0.2*U), U from the serial";
        }
    }

    /** NotAfter − duration; a duration not shorter than the lifetime falls back to T/3, as cert-manager does. */
    record RenewBefore(Duration before) implements DeadlinePolicy {
        public RenewBefore {
            if (before.isNegative() || before.isZero()) {
                throw new IllegalArgumentException("csrflow.scheduler.renew-before must be positive, got " + before);
            }
        }

        @Override
        public Instant deadline(String serial, Instant notBefore, Instant notAfter) {
            Duration total = Duration.between(notBefore, notAfter);
            Duration effective = before.compareTo(total) >= 0 ? total.dividedBy(3) : before;
            return notAfter.minus(effective);
        }

        @Override
        public String describe() {
            return "renew-before: NotAfter - " + before;
        }
    }

    /** NotAfter − T·p/100. */
    record RenewBeforePercentage(int percent) implements DeadlinePolicy {
        public RenewBeforePercentage {
            if (percent <= 0 || percent >= 100) {
                throw new IllegalArgumentException(
                        "csrflow.scheduler.renew-before-percentage must be between 1 and 99, got " + percent);
            }
        }

        @Override
        public Instant deadline(String serial, Instant notBefore, Instant notAfter) {
            long total = Duration.between(notBefore, notAfter).toMillis();
            return notAfter.minusMillis(total * percent / 100);
        }

        @Override
        public String describe() {
            return "renew-before-percentage: NotAfter - T*" + percent + "%";
        }
    }
}
