package io.csrflow.signer;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CertificateTemplate;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.IssuanceCheck;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SigningFailedException;
import io.csrflow.pki.SigningPolicy;
import io.csrflow.pki.Validity;
import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.Backoff;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.PublishFailedException;
import io.csrflow.signer.ca.CaRegistry;
import io.csrflow.signer.domain.SignerChecks;
import io.csrflow.signer.kube.CsrStatusWriter;
import io.csrflow.signer.messaging.outbound.IssuedPublisher;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The transition Approved → Issued (or Failed), exactly once per CSR. The message that triggered it
 * is only a notification: the live CSR must be Approved, not Failed, without a certificate, for a
 * served signer; the request is re-checked; the certificate is checked after signing; it is written
 * with the resourceVersion read, so of two concurrent signers one writes and the other finds the
 * certificate and stops.
 */
@ApplicationScoped
public class SigningService {
    static final String VALIDATION_FAILURE = "SignerValidationFailure";
    private static final Logger LOG = Logger.getLogger(SigningService.class);
    private static final int ATTEMPTS = 3;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

    /** What one attempt left to do: nothing more, or read the CSR again (someone wrote first). */
    private enum Next { DONE, READ_AGAIN }

    private final CaRegistry cas;
    private final CsrStatusWriter csrs;
    private final SignerChecks checks;
    private final CertificateIssuer issuer;
    private final IssuedPublisher publisher;
    private final MeterRegistry registry;
    private final Clock clock;

    SigningService(CaRegistry cas, CsrStatusWriter csrs, CsrVerifier verifier, CertificateIssuer issuer,
            IssuedPublisher publisher, MeterRegistry registry, Clock clock) {
        this.cas = cas;
        this.csrs = csrs;
        this.checks = new SignerChecks(verifier);
        this.issuer = issuer;
        this.publisher = publisher;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * Signs CSR {@code name} if it still is {@code uid} and the API shows it approved and unsigned.
     * A conflict or an API that does not answer is tried again a few times with backoff; after that
     * the CSR stays Approved and the watcher's resync brings it back, so the message is never
     * dead-lettered for a transient fault.
     */
    public void sign(String name, String uid) {
        // One signing per CSR at a time is the SigningQueue's: the approval that arrives twice
        // (csr.decisions and csr.observed) is signed once and then found issued in the cache.
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                // The first look may be the cache's; after a conflict, only the API's.
                if (signOnce(name, uid, attempt == 0) == Next.DONE) {
                    return;
                }
                LOG.debugf("CSR %s changed while it was signed; reading it again", name);
            } catch (ApiUnavailableException e) {
                registry.counter("csrflow.signer.failures", "signer", "unknown", "reason", "ApiUnavailable")
                        .increment();
                LOG.warnf("Kubernetes API error while signing CSR %s (attempt %d): %s", name, attempt + 1,
                        e.getMessage());
            }
            if (attempt + 1 < ATTEMPTS && !BACKOFF.pause(attempt)) {
                return;
            }
        }
        LOG.warnf("CSR %s could not be signed after %d attempts; the watcher's resync will bring it back", name,
                ATTEMPTS);
    }

    private Next signOnce(String name, String uid, boolean cacheFirst) {
        Optional<CertificateSigningRequest> found = cacheFirst ? csrs.toSign(name, uid) : csrs.get(name, uid);
        if (found.isEmpty()) {
            return Next.DONE;
        }
        CertificateSigningRequest live = found.get();
        CsrObserved csr = CsrSnapshots.of(live, false, clock.instant());
        Optional<CertificateAuthority> ca = cas.forSigner(csr.signerName());
        if (ca.isEmpty() || csr.phase() != CsrPhase.APPROVED) {
            // Not served here, not approved (a forged or early message), failed, or already issued.
            return Next.DONE;
        }
        Timer.Sample sample = Timer.start(registry);
        SignerChecks.Outcome checked = checks.check(csr, cas.allowedUsages(csr.signerName()),
                cas.profile(csr.signerName()), cas.podTrustDomains());
        if (!checked.signable()) {
            registry.counter("csrflow.signer.failures", "signer", csr.signerName(), "reason", VALIDATION_FAILURE)
                    .increment();
            registry.counter("csrflow.signer.validation.failures", "signer", csr.signerName(), "check",
                    checked.failedCheck()).increment();
            LOG.infof("CSR %s fails the signer's validation: %s", name, checked.message());
            return next(csrs.failed(live, VALIDATION_FAILURE, checked.message()));
        }
        X509Certificate certificate;
        try {
            Validity validity = Validity.compute(clock.instant(), csr.expirationSeconds(), cas.maxDuration(csr.signerName()),
                    ca.get().certificate().getNotBefore().toInstant(), ca.get().certificate().getNotAfter().toInstant());
            CertificateTemplate template = SigningPolicy.template(checked.parsed(), csr.usages(), validity);
            certificate = issuer.issue(template, ca.get());
            IssuanceCheck.verify(certificate, template, ca.get(), issuer.provider());
        } catch (SigningFailedException e) {
            // The CA or the signer is at fault, not the request: the CSR stays Approved for a fixed signer.
            registry.counter("csrflow.signer.failures", "signer", csr.signerName(), "reason", e.reason().label())
                    .increment();
            LOG.errorf("no certificate for CSR %s (%s): %s", name, e.reason().label(), e.getMessage());
            return Next.DONE;
        }
        String pem = Pem.of(certificate);
        CsrStatusWriter.Written written = csrs.certificate(live, pem);
        if (written != CsrStatusWriter.Written.WRITTEN) {
            return next(written);
        }
        sample.stop(registry.timer("csrflow.signer.signing", "signer", csr.signerName()));
        registry.counter("csrflow.signer.issued", "signer", csr.signerName()).increment();
        LOG.infof("CSR %s: issued serial %s valid until %s", name, CertificateIssuer.serialHex(certificate),
                certificate.getNotAfter().toInstant());
        try {
            publisher.announce(csr, checked.parsed(), certificate, pem);
        } catch (PublishFailedException e) {
            // The certificate is on the CSR, which is what the requester waits for; the event is
            // published later by LostAnnouncements when the watcher shows the CSR again.
            registry.counter("csrflow.signer.announce.failures", "signer", csr.signerName()).increment();
            LOG.warnf("CSR %s: cert.issued not published (%s); it will be announced late", name, e.getMessage());
        }
        return Next.DONE;
    }

    private static Next next(CsrStatusWriter.Written written) {
        return written == CsrStatusWriter.Written.CONFLICT ? Next.READ_AGAIN : Next.DONE;
    }
}
