package io.csrflow.signer.pods;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SignerProfile;
import io.csrflow.pki.SigningFailedException;
import io.csrflow.service.ApiUnavailableException;
import io.csrflow.service.Backoff;
import io.csrflow.service.PodCertificateSnapshots;
import io.csrflow.signer.ca.CaRegistry;
import io.csrflow.signer.kube.LivePodCertificates;
import io.csrflow.signer.kube.PodNeighbourhoods;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The transition Pending → Issued, Denied or Failed of a PodCertificateRequest, exactly once. The
 * event is only a notification: the live request must be Pending, for a signer that answers pod
 * certificates here; the pod is read again; {@link PodCertificatePolicy} decides; the certificate is
 * checked after signing and written with the resourceVersion read, so of two replicas one writes and
 * the other finds the answer and stops.
 */
@ApplicationScoped
public class PodCertificateService {
    private static final Logger LOG = Logger.getLogger(PodCertificateService.class);
    private static final int ATTEMPTS = 3;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

    private enum Next { DONE, READ_AGAIN }

    private final CaRegistry cas;
    private final LivePodCertificates requests;
    private final PodNeighbourhoods neighbourhoods;
    private final PodCertificateMint mint;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    PodCertificateService(CaRegistry cas, LivePodCertificates requests, PodNeighbourhoods neighbourhoods,
            CertificateIssuer issuer, MeterRegistry registry, Clock clock) {
        this.cas = cas;
        this.requests = requests;
        this.neighbourhoods = neighbourhoods;
        this.mint = new PodCertificateMint(issuer);
        this.registry = registry;
        this.clock = clock;
    }

    /** Whether requests for this signer are answered here: the event consumer skips the rest without a read. */
    public boolean serves(String signerName) {
        return cas.forSigner(signerName).isPresent() && cas.podCertificates(signerName).isPresent();
    }

    /**
     * Answers request {@code namespace/name} if it still is {@code uid} and Pending. An API that does
     * not answer is tried a few times; after that the request stays Pending and the watcher's resync
     * brings it back, so the message is never dead-lettered for a transient fault.
     */
    public void answer(String namespace, String name, String uid) {
        String key = namespace + "/" + name;
        if (!inFlight.add(key)) {
            return;
        }
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                try {
                    if (answerOnce(namespace, name, uid) == Next.DONE) {
                        return;
                    }
                } catch (ApiUnavailableException e) {
                    registry.counter("csrflow.signer.pod.certificates.api.failures").increment();
                    LOG.warnf("Kubernetes API error while answering PodCertificateRequest %s (attempt %d): %s", key,
                            attempt + 1, e.getMessage());
                }
                if (attempt + 1 < ATTEMPTS && !BACKOFF.pause(attempt)) {
                    return;
                }
            }
            LOG.warnf("PodCertificateRequest %s could not be answered after %d attempts; the watcher's resync will "
                    + "bring it back", key, ATTEMPTS);
        } finally {
            inFlight.remove(key);
        }
    }

    private Next answerOnce(String namespace, String name, String uid) {
        Optional<GenericKubernetesResource> found = requests.get(namespace, name, uid);
        if (found.isEmpty()) {
            return Next.DONE;
        }
        GenericKubernetesResource live = found.get();
        PodCertificateObserved request = PodCertificateSnapshots.of(live, false, clock.instant());
        Optional<CertificateAuthority> ca = cas.forSigner(request.signerName());
        Optional<PodCertificateSettings> settings = cas.podCertificates(request.signerName());
        Optional<SignerProfile> profile = cas.profile(request.signerName());
        if (ca.isEmpty() || settings.isEmpty() || profile.isEmpty() || request.phase() != PodCertificatePhase.PENDING) {
            return Next.DONE;
        }
        Timer.Sample sample = Timer.start(registry);
        PodAnswer answer = decide(request, settings.get(), profile.get());
        String label = "PodCertificateRequest " + namespace + "/" + name + " (pod " + request.podName() + ", node "
                + request.nodeName() + ")";
        if (answer instanceof PodAnswer.Deny deny) {
            return refuse(live, request, "Denied", deny.reason(), deny.message(), deny.check(), label);
        }
        if (answer instanceof PodAnswer.Fail fail) {
            return refuse(live, request, "Failed", fail.reason(), fail.message(), fail.check(), label);
        }
        return issue(live, request, (PodAnswer.Issue) answer, profile.get(), ca.get(), label, sample);
    }

    /** Cheap checks first; the pod next; its Services only for a request that would be issued. */
    private PodAnswer decide(PodCertificateObserved request, PodCertificateSettings settings, SignerProfile profile) {
        Optional<PodAnswer> early = PodCertificatePolicy.beforeLookup(request, settings);
        if (early.isPresent()) {
            return early.get();
        }
        PodNeighbourhood around = neighbourhoods.pod(request.namespace(), request.podName());
        PodAnswer answer = PodCertificatePolicy.afterLookup(request, settings, profile, around);
        if (answer instanceof PodAnswer.Issue && settings.serviceNames()) {
            answer = PodCertificatePolicy.afterLookup(request, settings, profile, neighbourhoods.withServices(around,
                    request.namespace(), request.podName(), request.serviceAccountName()));
        }
        return answer;
    }

    private Next issue(GenericKubernetesResource live, PodCertificateObserved request, PodAnswer.Issue issue,
            SignerProfile profile, CertificateAuthority ca, String label, Timer.Sample sample) {
        PodCertificateMint.Minted minted;
        try {
            minted = mint.mint(issue, request.pkixPublicKey(), profile, ca, clock.instant());
        } catch (SigningFailedException e) {
            // The CA or the signer is at fault, not the request: Failed says so to the kubelet, which asks again.
            LOG.errorf("%s: no certificate (%s): %s", label, e.reason().label(), e.getMessage());
            return refuse(live, request, "Failed", e.reason().label(), e.getMessage(), "signing", label);
        }
        LivePodCertificates.Written written;
        try {
            written = requests.issued(live, Pem.of(minted.certificate()), minted.notBefore(), minted.notAfter(),
                    minted.beginRefreshAt(), "issued " + issue.note());
        } catch (LivePodCertificates.StatusRefusedException e) {
            // A certificate the API does not accept is this signer's defect: Failed tells the kubelet,
            // which asks again, rather than a request left Pending and signed again on every resync.
            LOG.errorf("%s: the API refused the issued status: %s", label, e.getMessage());
            return refuse(live, request, "Failed", "SignerValidationFailure", "the API refused the certificate "
                    + "this signer issued: " + e.getMessage(), "status", label);
        }
        if (written != LivePodCertificates.Written.WRITTEN) {
            return next(written);
        }
        sample.stop(registry.timer("csrflow.signer.pod.certificates.signing", "signer", request.signerName()));
        count(request, "issued", "Issued", "issued");
        LOG.infof("%s: issued serial %s to %s, valid until %s, refresh from %s", label,
                CertificateIssuer.serialHex(minted.certificate()), issue.note(), minted.notAfter(),
                minted.beginRefreshAt());
        return Next.DONE;
    }

    private Next refuse(GenericKubernetesResource live, PodCertificateObserved request, String type, String reason,
            String message, String check, String label) {
        LivePodCertificates.Written written;
        try {
            written = requests.refused(live, type, reason, message);
        } catch (LivePodCertificates.StatusRefusedException e) {
            registry.counter("csrflow.signer.pod.certificates.refused.writes").increment();
            LOG.errorf("%s: the API refused the %s status: %s", label, type, e.getMessage());
            return Next.DONE;
        }
        if (written != LivePodCertificates.Written.WRITTEN) {
            return next(written);
        }
        count(request, type.toLowerCase(Locale.ROOT), reason, check);
        LOG.infof("%s: %s (%s): %s", label, type, reason, message);
        return Next.DONE;
    }

    private void count(PodCertificateObserved request, String outcome, String reason, String check) {
        registry.counter("csrflow.signer.pod.certificates", "signer", request.signerName(), "outcome", outcome,
                "reason", reason, "check", check).increment();
    }

    private static Next next(LivePodCertificates.Written written) {
        return written == LivePodCertificates.Written.CONFLICT ? Next.READ_AGAIN : Next.DONE;
    }
}
