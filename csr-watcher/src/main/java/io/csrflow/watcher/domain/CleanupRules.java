package io.csrflow.watcher.domain;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.csrflow.events.CsrCondition;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;

/**
 * When a CSR is garbage: kube-controller-manager's csrcleaner rules, with its ages as defaults.
 * A CSR is deleted when it is approved with a certificate and was approved more than the issued age
 * ago; when it was denied, or failed, more than that age ago (the condition's {@code lastUpdateTime},
 * which the API server stamps when a client leaves it out); when it has no condition at all and was
 * created more than the pending age ago; or when it is approved with a certificate whose NotAfter
 * has passed. "More than" is strict, a time that is absent never counts, and a certificate that
 * cannot be read is not expired, all as kube has it. An approved CSR that never got a certificate
 * is kept, as kube keeps it: it says a signer is missing.
 *
 * <p>Conditions are matched by type, as kube does; {@code certificates.k8s.io/v1} allows only
 * status True for Approved, Denied and Failed.
 */
public final class CleanupRules {
    /** How long each kind of CSR is kept; kube-controller-manager's are {@link #KUBE}. */
    public record Ages(Duration issued, Duration denied, Duration failed, Duration pending) {
        public Ages {
            for (var age : List.of(Objects.requireNonNull(issued, "issued"), Objects.requireNonNull(denied, "denied"),
                    Objects.requireNonNull(failed, "failed"), Objects.requireNonNull(pending, "pending"))) {
                if (age.isNegative()) {
                    throw new IllegalArgumentException("a CSR cleaner age may not be negative: " + age);
                }
            }
        }
    }

    /** kube-controller-manager's approvedExpiration, deniedExpiration (also for Failed) and pendingExpiration. */
    public static final Ages KUBE = new Ages(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
            Duration.ofHours(24));

    private final Ages ages;

    public CleanupRules(Ages ages) {
        this.ages = Objects.requireNonNull(ages, "ages");
    }

    /**
     * Why {@code csr} is to be deleted at {@code now}, or empty to keep it. Rules are tried in kube's
     * order, so that a CSR several rules match is given the same reason on every replica.
     */
    public Optional<CsrDeletionReason> reasonToDelete(CsrObserved csr, Instant now) {
        Optional<CsrCondition> approved = condition(csr, "Approved");
        boolean issued = csr.certificate() != null && !csr.certificate().isEmpty();
        if (issued && approved.isPresent() && olderThan(approved.get().lastUpdateTime(), ages.issued(), now)) {
            return Optional.of(CsrDeletionReason.ISSUED_PAST_DEADLINE);
        }
        if (condition(csr, "Denied").filter(c -> olderThan(c.lastUpdateTime(), ages.denied(), now)).isPresent()) {
            return Optional.of(CsrDeletionReason.DENIED_PAST_DEADLINE);
        }
        if (condition(csr, "Failed").filter(c -> olderThan(c.lastUpdateTime(), ages.failed(), now)).isPresent()) {
            return Optional.of(CsrDeletionReason.FAILED_PAST_DEADLINE);
        }
        if (csr.conditions().isEmpty() && olderThan(csr.createdAt(), ages.pending(), now)) {
            return Optional.of(CsrDeletionReason.PENDING_PAST_DEADLINE);
        }
        if (issued && approved.isPresent() && notAfter(csr.certificate()).filter(now::isAfter).isPresent()) {
            return Optional.of(CsrDeletionReason.CERTIFICATE_EXPIRED);
        }
        return Optional.empty();
    }

    private static Optional<CsrCondition> condition(CsrObserved csr, String type) {
        return csr.conditions().stream().filter(c -> type.equals(c.type())).findFirst();
    }

    private static boolean olderThan(Instant time, Duration age, Instant now) {
        return time != null && time.plus(age).isBefore(now);
    }

    /** The NotAfter of the first certificate of the PEM chain; empty if it cannot be read. */
    private static Optional<Instant> notAfter(String pem) {
        try {
            X509Certificate first = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            return Optional.of(first.getNotAfter().toInstant());
        } catch (CertificateException | ClassCastException e) {
            return Optional.empty();
        }
    }
}
