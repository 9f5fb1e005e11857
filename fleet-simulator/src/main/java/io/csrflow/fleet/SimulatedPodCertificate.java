package io.csrflow.fleet;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * One pod's {@code podCertificate} volume, served by its node's kubelet as the kubelet's pod
 * certificate manager serves it: once the node is registered, the kubelet, with its own client
 * certificate, reads the Pod, its ServiceAccount and its Node for their UIDs, makes a fresh key of
 * the volume's key type and the proof of possession, creates a PodCertificateRequest and waits for
 * Issued, Denied or Failed. An issued chain is checked as the pod and its clients would check it and
 * kept with the key as the credential bundle; at {@code beginRefreshAt} (plus the kubelet's jitter of
 * up to 5 minutes) or, as a test knob, a fixed time after issue, the same again with a new key.
 * Denied and Failed are final, as for the kubelet; anything else is retried with backoff.
 */
final class SimulatedPodCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedPodCertificate.class);
    private static final Duration REFRESH_JITTER = Duration.ofMinutes(5);
    private static final int KEPT_PROBLEMS = 5;
    private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----");

    enum Phase { PLACING, WAITING_FOR_NODE, REQUESTING, ISSUED, REFRESHING, DENIED, FAILED, REFUSED, NOT_REFUSED }

    private final PodCertificateSpec spec;
    private final FleetSettings.PodCertificates settings;
    private final WorkloadObjects objects;
    private final FleetContext fleet;
    private final PodCertificateRequests requests;
    private final Function<String, SimulatedKubelet> kubelets;
    private final Clock clock;

    private final Deque<String> verificationProblems = new ArrayDeque<>();
    private WorkloadObjects.PlacedPod placed;
    private PodCertificateOutcome.Issued current;
    private String credentialBundle;
    private String lastSerial;
    private Phase phase = Phase.PLACING;
    private ScheduledFuture<?> refreshTimer;
    private Instant refreshAt;
    private boolean trusted;
    private boolean stopped;
    private int issued;
    private int refreshed;
    private int refusedByApi;
    private int denied;
    private int failed;
    private int verificationFailures;
    private PodCertificateOutcome.Refused refusal;
    private String lastError;

    SimulatedPodCertificate(PodCertificateSpec spec, FleetSettings.PodCertificates settings, WorkloadObjects objects,
            FleetContext fleet, PodCertificateRequests requests, Function<String, SimulatedKubelet> kubelets, Clock clock) {
        this.spec = spec;
        this.settings = settings;
        this.objects = objects;
        this.fleet = fleet;
        this.requests = requests;
        this.kubelets = kubelets;
        this.clock = clock;
    }

    /** Places the pod, then asks as soon as the requesting node is registered; returns at once. */
    void start() {
        attempt(Backoff.retry());
    }

    private void attempt(Backoff backoff) {
        try {
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (placed == null) {
                    placed = objects.placeCertificatePod(spec, settings.signerName(), settings.maxExpirationSeconds());
                }
                if (current == null) {
                    phase = Phase.WAITING_FOR_NODE;
                }
            }
        } catch (RuntimeException e) {
            retryLater(backoff, e);
            return;
        }
        SimulatedKubelet kubelet = kubelets.apply(spec.requestingNode());
        kubelet.whenRegistered(() -> request(kubelet, backoff));
    }

    private void request(SimulatedKubelet kubelet, Backoff backoff) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            phase = current == null ? Phase.REQUESTING : Phase.REFRESHING;
        }
        HeldCertificate identity = kubelet.clientCertificate();
        if (identity == null) {
            retryLater(backoff, new IllegalStateException(kubelet.name() + " holds no client certificate"));
            return;
        }
        KubernetesClient client;
        try {
            client = fleet.clientFor(identity);
        } catch (RuntimeException e) {
            retryLater(backoff, e);
            return;
        }
        CompletableFuture.supplyAsync(() -> PodCertificateKey.generate(spec.keyType()), fleet.scheduler())
                .thenCompose(key -> requests.submit(client, requestFor(client, key))
                        .thenAccept(outcome -> answer(client, kubelet, key, outcome)))
                .whenComplete((ignored, failure) -> {
                    client.close();
                    if (failure != null) {
                        retryLater(backoff, failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    }
                });
    }

    /** The request for {@code key}, with the identifiers the kubelet reads, or those a misbehaving one makes up. */
    private GenericKubernetesResource requestFor(KubernetesClient client, PodCertificateKey key) {
        PodCertificateRequests.Subject subject;
        if (spec.behaviour() == PodCertificateMisbehaviour.OTHER_NODE) {
            // The Node authorizer would not let this node read another node's pod: it asks with the
            // identifiers the cluster gave the pod, as a kubelet that learned them elsewhere would.
            subject = new PodCertificateRequests.Subject(spec.namespace(), spec.pod(), placed.podUid(),
                    spec.serviceAccount(), placed.serviceAccountUid(), spec.requestingNode(),
                    PodCertificateRequests.nodeUid(client, spec.requestingNode()));
        } else {
            subject = PodCertificateRequests.lookUp(client, spec.requestingNode(), spec.namespace(), spec.pod());
        }
        String signedUid = spec.behaviour() == PodCertificateMisbehaviour.BAD_PROOF ? UUID.randomUUID().toString()
                : subject.podUid();
        return PodCertificateRequests.build(subject, settings.signerName(), settings.maxExpirationSeconds(),
                key.pkixPublicKey(), key.proofOfPossession(signedUid));
    }

    private void answer(KubernetesClient client, SimulatedKubelet kubelet, PodCertificateKey key,
            PodCertificateOutcome outcome) {
        if (outcome instanceof PodCertificateOutcome.Refused refused) {
            refused(refused);
            return;
        }
        PodCertificateOutcome.Issued answer = (PodCertificateOutcome.Issued) outcome;
        PodCertificateCheck.Verdict verdict = verify(client, answer, key);
        install(key, answer, verdict);
        if (!spec.behaviour().misbehaves() && (verdict.problem() == PodCertificateCheck.Problem.NO_TRUST_BUNDLE
                || verdict.problem() == PodCertificateCheck.Problem.NOT_TRUSTED)) {
            // The bundle may not be published yet, or may still follow a CA change.
            Backoff.retry().schedule(fleet.scheduler(), () -> recheckTrust(kubelet, key, answer, Backoff.retry()));
        }
    }

    private PodCertificateCheck.Verdict verify(KubernetesClient client, PodCertificateOutcome.Issued answer,
            PodCertificateKey key) {
        List<String> bundles;
        String listFailure = null;
        try {
            bundles = PodCertificateRequests.trustBundles(client, settings.signerName());
        } catch (RuntimeException e) {
            bundles = List.of();
            listFailure = "cannot list the ClusterTrustBundles of " + settings.signerName() + ": " + e.getMessage();
        }
        PodCertificateCheck.Verdict verdict = PodCertificateCheck.verify(answer, key.key().keys().getPublic(),
                spec.spiffeId(settings.trustDomain()), bundles, clock.instant());
        return listFailure != null && verdict.problem().bundlePending()
                ? new PodCertificateCheck.Verdict(verdict.chain(), verdict.problem(), listFailure) : verdict;
    }

    private void refused(PodCertificateOutcome.Refused refused) {
        boolean retry;
        synchronized (this) {
            refusal = refused;
            if (refused.byApi()) {
                refusedByApi++;
            } else if ("Denied".equals(refused.code())) {
                denied++;
            } else {
                failed++;
            }
            // A well-behaved pod's request the API would not create may be a cache not yet showing the
            // pod: the kubelet asks again. Denied and Failed are final, for the kubelet too.
            retry = refused.byApi() && !spec.behaviour().misbehaves();
            if (!retry) {
                phase = spec.behaviour().misbehaves() ? spec.behaviour().expects(refused) ? Phase.REFUSED
                        : Phase.NOT_REFUSED : "Denied".equals(refused.code()) ? Phase.DENIED : Phase.FAILED;
                lastError = refused.toString();
                cancelRefresh();
            }
        }
        if (retry) {
            throw new IllegalStateException(refused.toString());
        }
        if (phase() == Phase.NOT_REFUSED) {
            LOG.warn("{}: {}, but it {} and must be refused with {}", spec.label(), refused,
                    spec.behaviour().description(), spec.behaviour().expectedRefusal());
        } else {
            LOG.info("{}: {}", spec.label(), refused);
        }
    }

    private synchronized Phase phase() {
        return phase;
    }

    private void install(PodCertificateKey key, PodCertificateOutcome.Issued answer, PodCertificateCheck.Verdict verdict) {
        List<X509Certificate> chain = verdict.chain();
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (current != null) {
                refreshed++;
            }
            issued++;
            current = answer;
            credentialBundle = chain.isEmpty() ? null : key.credentialBundle(chain);
            lastSerial = chain.isEmpty() ? null : chain.get(0).getSerialNumber().toString(16);
            trusted = verdict.valid();
            lastError = verdict.valid() ? null : verdict.problem() + ": " + verdict.message();
            if (!verdict.valid() && !verdict.problem().bundlePending()) {
                verificationFailed(verdict);
            }
            if (spec.behaviour().misbehaves()) {
                phase = Phase.NOT_REFUSED;
                lastError = "issued although it " + spec.behaviour().description();
            } else {
                phase = Phase.ISSUED;
                scheduleRefresh(answer);
            }
        }
        if (spec.behaviour().misbehaves()) {
            LOG.warn("{}: {} issued although it {}: it must be refused with {}", spec.label(), answer.requestName(),
                    spec.behaviour().description(), spec.behaviour().expectedRefusal());
        } else {
            LOG.info("{}: {} issued serial {} until {}{}", spec.label(), answer.requestName(), lastSerial,
                    answer.notAfter(), verdict.valid() ? "" : " (" + verdict.problem() + ": " + verdict.message() + ")");
        }
    }

    private void verificationFailed(PodCertificateCheck.Verdict verdict) {
        verificationFailures++;
        verificationProblems.addLast(current.requestName() + ": " + verdict.problem() + ": " + verdict.message());
        while (verificationProblems.size() > KEPT_PROBLEMS) {
            verificationProblems.removeFirst();
        }
    }

    private void recheckTrust(SimulatedKubelet kubelet, PodCertificateKey key, PodCertificateOutcome.Issued answer,
            Backoff backoff) {
        synchronized (this) {
            if (stopped || current != answer || trusted) {
                return;
            }
        }
        HeldCertificate identity = kubelet.clientCertificate();
        PodCertificateCheck.Verdict verdict;
        try (KubernetesClient client = fleet.clientFor(identity)) {
            verdict = verify(client, answer, key);
        } catch (RuntimeException e) {
            verdict = null;
        }
        synchronized (this) {
            if (stopped || current != answer) {
                return;
            }
            if (verdict != null && verdict.valid()) {
                trusted = true;
                lastError = null;
                return;
            }
            if (verdict != null) {
                lastError = verdict.problem() + ": " + verdict.message();
            }
            boolean counted = verificationProblems.stream().anyMatch(p -> p.startsWith(answer.requestName() + ": "));
            if (verdict != null && !verdict.problem().bundlePending() && !counted) {
                verificationFailed(verdict);
            }
        }
        backoff.schedule(fleet.scheduler(), () -> recheckTrust(kubelet, key, answer, backoff.next()));
    }

    /** Called with the lock held. */
    private void scheduleRefresh(PodCertificateOutcome.Issued answer) {
        cancelRefresh();
        if (settings.refreshAfter() != null) {
            refreshAt = clock.instant().plus(settings.refreshAfter());
        } else if (answer.beginRefreshAt() != null) {
            refreshAt = answer.beginRefreshAt().plusMillis(ThreadLocalRandom.current().nextLong(REFRESH_JITTER.toMillis()));
        } else {
            refreshAt = null;
            lastError = answer.requestName() + " has no beginRefreshAt: not refreshing";
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), refreshAt).toMillis());
        refreshTimer = fleet.scheduler().schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        synchronized (this) {
            if (stopped || phase != Phase.ISSUED) {
                return;
            }
            phase = Phase.REFRESHING;
        }
        LOG.info("{}: refreshing (serial {})", spec.label(), lastSerial);
        attempt(Backoff.retry());
    }

    private void cancelRefresh() {
        if (refreshTimer != null) {
            refreshTimer.cancel(false);
            refreshTimer = null;
        }
    }

    private void retryLater(Backoff backoff, Throwable cause) {
        synchronized (this) {
            if (stopped || phase == Phase.DENIED || phase == Phase.FAILED || phase == Phase.REFUSED
                    || phase == Phase.NOT_REFUSED) {
                return;
            }
            lastError = cause.getMessage();
        }
        LOG.warn("{}: certificate request failed, again in {}: {}", spec.label(), backoff.pause(), cause.toString());
        backoff.schedule(fleet.scheduler(), () -> attempt(backoff.next()));
    }

    synchronized PodCertificateReport report() {
        return new PodCertificateReport(spec.namespace(), spec.pod(), spec.node(), spec.requestingNode(),
                spec.serviceAccount(), spec.behaviour().label(), spec.behaviour().expectedRefusal(),
                spec.keyType().name(), phase.name(), issued, refreshed, refusedByApi, denied, failed,
                current == null ? null : current.requestName(), lastSerial,
                current == null ? null : current.notAfter(), current == null ? null : current.beginRefreshAt(),
                refreshAt, trusted, refusal, verificationFailures, List.copyOf(verificationProblems), lastError,
                volume());
    }

    /** What the volume holds: the bundle's path and its PEM blocks, in order (a key, then the chain). */
    private String volume() {
        if (credentialBundle == null) {
            return null;
        }
        List<String> blocks = PEM_BLOCK.matcher(credentialBundle).results().map(m -> m.group(1)).toList();
        return PodCertificateSpec.CREDENTIAL_BUNDLE_PATH + ": " + String.join(", ", blocks);
    }

    synchronized void stop() {
        stopped = true;
        cancelRefresh();
    }
}
