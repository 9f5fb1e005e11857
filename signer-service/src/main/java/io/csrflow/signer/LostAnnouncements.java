package io.csrflow.signer;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Pem;
import io.csrflow.pki.Validity;
import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.PublishFailedException;
import io.csrflow.signer.domain.IssuedEvents;
import io.csrflow.signer.ca.CaRegistry;
import io.csrflow.signer.kube.CsrStatusWriter;
import io.csrflow.signer.messaging.outbound.IssuedPublisher;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Announces certificates whose {@code cert.issued} was lost. The signer writes the certificate to
 * the CSR, then publishes; a crash between the two, or a broker that never acknowledged, leaves the
 * CSR Issued and unannounced, and a replayed approval finds it signed and stops. The watcher
 * publishes every Issued CSR again (on every resync and leader change), so each comes back here: a
 * certificate of this signer's CA that {@code cert.issued} does not hold is announced then, once.
 * Only certificates older than the grace period (the signer that wrote one may still be publishing)
 * and younger than the window that the topic is read over.
 */
@ApplicationScoped
public class LostAnnouncements {
    private static final Logger LOG = Logger.getLogger(LostAnnouncements.class);

    /** What a check of one Issued CSR found, the {@code outcome} label of its metric. */
    enum Outcome {
        ANNOUNCED_NOW("announced-now"),
        ALREADY_ANNOUNCED("already-announced"),
        TOO_RECENT("too-recent"),
        OUTSIDE_WINDOW("outside-window"),
        OTHER_ISSUER("other-issuer"),
        UNREADABLE("unreadable"),
        CHANGED("changed"),
        UNKNOWN("unknown");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    private final CaRegistry cas;
    private final CsrStatusWriter csrs;
    private final CsrVerifier verifier;
    private final IssuedPublisher publisher;
    private final Duration grace;
    private final Duration window;
    private final MeterRegistry registry;
    private final Clock clock;

    LostAnnouncements(CaRegistry cas, CsrStatusWriter csrs, CsrVerifier verifier, IssuedPublisher publisher,
            SignerConfig config, MeterRegistry registry, Clock clock) {
        this.cas = cas;
        this.csrs = csrs;
        this.verifier = verifier;
        this.publisher = publisher;
        this.grace = config.signer().announcements().grace();
        this.window = config.signer().announcements().window();
        this.registry = registry;
        this.clock = clock;
    }

    /** Checks an Issued CSR seen on {@code csr.observed}, for a signer served here. */
    public void check(CsrObserved csr) {
        List<X509Certificate> trusted = cas.trusted(csr.signerName());
        if (csr.phase() != CsrPhase.ISSUED || trusted.isEmpty()) {
            return;
        }
        Outcome outcome = outcome(csr, trusted);
        registry.counter("csrflow.signer.announcement.checks", "signer", csr.signerName(), "outcome", outcome.label)
                .increment();
    }

    private Outcome outcome(CsrObserved csr, List<X509Certificate> trusted) {
        X509Certificate certificate;
        try {
            certificate = Pem.firstCertificate(csr.certificate());
        } catch (IllegalArgumentException e) {
            return Outcome.UNREADABLE;
        }
        String fingerprint = IssuedEvents.fingerprint(certificate);
        // Most Issued CSRs on a resync were announced and are remembered: answer those before
        // verifying a signature, which costs more than everything else here.
        if (publisher.remembered(fingerprint)) {
            return Outcome.ALREADY_ANNOUNCED;
        }
        if (trusted.stream().noneMatch(ca -> issuedBy(certificate, ca))) {
            return Outcome.OTHER_ISSUER;
        }
        // This signer back-dates NotBefore by a fixed amount: the certificate tells when it was made.
        Instant issuedAt = certificate.getNotBefore().toInstant().plus(Validity.BACKDATE);
        Instant now = clock.instant();
        if (issuedAt.isAfter(now.minus(grace))) {
            return Outcome.TOO_RECENT;
        }
        if (issuedAt.isBefore(now.minus(window))) {
            return Outcome.OUTSIDE_WINDOW;
        }
        try {
            if (publisher.announced(fingerprint)) {
                return Outcome.ALREADY_ANNOUNCED;
            }
            return announce(csr.name(), csr.uid(), fingerprint);
        } catch (KafkaException | ApiUnavailableException | PublishFailedException e) {
            // Transient: the next resync brings the CSR back.
            LOG.warnf("cannot tell whether the certificate of CSR %s was announced: %s", csr.name(), e.getMessage());
            return Outcome.UNKNOWN;
        }
    }

    /** The event is only a hint: what is announced is the live CSR's certificate. */
    private Outcome announce(String name, String uid, String fingerprint) {
        Optional<CertificateSigningRequest> live = csrs.get(name, uid);
        if (live.isEmpty()) {
            return Outcome.CHANGED;
        }
        CsrObserved current = CsrSnapshots.of(live.get(), false, clock.instant());
        if (current.phase() != CsrPhase.ISSUED) {
            return Outcome.CHANGED;
        }
        X509Certificate certificate;
        try {
            certificate = Pem.firstCertificate(current.certificate());
        } catch (IllegalArgumentException e) {
            return Outcome.CHANGED;
        }
        if (!fingerprint.equals(IssuedEvents.fingerprint(certificate))) {
            return Outcome.CHANGED;
        }
        ParsedCsr parsed;
        try {
            // Only read: it was verified before it was signed, maybe under settings since changed.
            parsed = verifier.parser().parse(current.request());
        } catch (CsrRejectedException e) {
            return Outcome.UNREADABLE;
        }
        publisher.announce(current, parsed, certificate, current.certificate());
        LOG.warnf("CSR %s: certificate serial %s had not been announced on cert.issued (a signer stopped between "
                + "writing it and publishing); announced now", name, CertificateIssuer.serialHex(certificate));
        return Outcome.ANNOUNCED_NOW;
    }

    /** Signed by this CA: the current one, or one that signed before a rotation (still this signer's). */
    private static boolean issuedBy(X509Certificate certificate, X509Certificate ca) {
        if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
