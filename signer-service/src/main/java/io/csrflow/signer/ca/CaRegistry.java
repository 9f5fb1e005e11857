package io.csrflow.signer.ca;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.CaLoadException;
import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CaSignatures;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.Fingerprints;
import io.csrflow.pki.Pkcs11CaLoader;
import io.csrflow.pki.SignerNames;
import io.csrflow.pki.SignerProfile;
import io.csrflow.signer.pods.PodCertificateSettings;
import io.csrflow.signer.SignerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;

/**
 * The CAs of each served signer name: the one that signs (loaded at start, where a bad file stops
 * the start naming it, and reloaded when its files change, where a reload that fails keeps the CA in
 * use), the next one published ahead of a rotation, and the ones that signed before, which stay
 * trusted while anything they signed may still be valid, so that a rotation never breaks trust.
 */
@ApplicationScoped
public class CaRegistry {
    private static final Logger LOG = Logger.getLogger(CaRegistry.class);
    /** What the default CA serves: never legacy-unknown, which has no rules unless an operator gives it some. */
    private static final List<String> DEFAULT_SIGNERS = List.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
            SignerNames.APISERVER_CLIENT);

    /**
     * A CA replaced while running, trusted until nothing it signed can still be valid; {@code observed}
     * when this replica saw the replacement itself, not when it was adopted from the published record.
     */
    private record Retired(X509Certificate certificate, Instant keepUntil, boolean observed) {
    }

    private final Map<String, CaSource> sources = new LinkedHashMap<>();
    private final Map<String, CertificateAuthority> authorities = new ConcurrentHashMap<>();
    private final Map<String, X509Certificate> nextCertificates = new ConcurrentHashMap<>();
    private final Map<String, List<X509Certificate>> previousCertificates = new ConcurrentHashMap<>();
    private final Map<String, List<Retired>> retired = new ConcurrentHashMap<>();
    private final Map<String, String> stamps = new ConcurrentHashMap<>();
    private final CaLoader loader;
    private final Provider provider;
    private final Pkcs11CaLoader tokenLoader = new Pkcs11CaLoader();
    private final SignerConfig.Signer config;
    private final MeterRegistry registry;
    private final Event<CaChanged> changed;
    private final Clock clock;
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ca-reloader");
        t.setDaemon(true);
        return t;
    });

    /** Fired after the CAs were loaded or one of them changed: each signer's trusted CA certificates. */
    public record CaChanged(Map<String, List<X509Certificate>> bundles) {
    }

    CaRegistry(SignerConfig config, Provider provider, MeterRegistry registry, Event<CaChanged> changed, Clock clock) {
        this.config = config.signer();
        this.loader = new CaLoader(provider);
        this.provider = provider;
        this.registry = registry;
        this.changed = changed;
        this.clock = clock;
        for (Map.Entry<String, SignerConfig.CaFiles> entry : this.config.signers().entrySet()) {
            String signer = signerName(entry.getKey());
            String key = configKey(entry.getKey());
            if (this.config.ca().isPresent() && SignerNames.isKubernetes(signer)) {
                throw new IllegalArgumentException("configure either csrflow.signer.ca (one CA for Kubernetes' signers) or "
                        + key + " (one per signer), not both");
            }
            if (sources.containsKey(signer)) {
                throw new IllegalArgumentException(key + ": " + signer + " is configured twice");
            }
            sources.put(signer, CaSource.of(signer, key, entry.getValue(), this.config.maxDuration()));
        }
        this.config.ca().ifPresent(ca -> DEFAULT_SIGNERS.forEach(s -> sources.put(s,
                CaSource.of(s, "csrflow.signer.ca", ca, this.config.maxDuration()))));
    }

    /**
     * The signer a {@code csrflow.signer.signers} key configures: a short name is Kubernetes' (one of
     * four), a name with a '/' is taken whole and must be a valid signer name; the shared CA never
     * serves those, so that the cluster's client CA signs nothing else unless configured by name.
     */
    static String signerName(String key) {
        String signer = SignerNames.fullName(key);
        String configKey = configKey(key);
        if (SignerNames.isKubernetes(signer)) {
            if (!SignerNames.KUBERNETES.contains(signer)) {
                throw new IllegalArgumentException(configKey + ": unknown signer; Kubernetes defines "
                        + "kube-apiserver-client-kubelet, kubelet-serving, kube-apiserver-client, legacy-unknown");
            }
            return signer;
        }
        SignerNames.problem(signer).ifPresent(problem -> {
            throw new IllegalArgumentException(configKey + ": not a signer name: " + problem);
        });
        return signer;
    }

    /** The key as written in a properties file: a full signer name needs quotes to be one map key. */
    private static String configKey(String key) {
        return "csrflow.signer.signers." + (key.contains("/") ? "\"" + key + "\"" : key);
    }

    void start(@Observes StartupEvent event) throws CaLoadException {
        for (Map.Entry<String, CaSource> entry : sources.entrySet()) {
            load(entry.getKey(), entry.getValue(), entry.getValue().stamp());
        }
        for (String signer : authorities.keySet()) {
            registry.gauge("csrflow.signer.ca.not.after", Tags.of("signer", signer), authorities,
                    a -> a.containsKey(signer) ? a.get(signer).certificate().getNotAfter().getTime() / 1000.0 : Double.NaN);
        }
        LOG.infof("serving signers %s", authorities.keySet());
        sharedServingCa().ifPresent(LOG::warn);
        changed.fire(new CaChanged(bundles()));
        long every = config.reloadInterval().toMillis();
        reloader.scheduleWithFixedDelay(this::reloadChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A kubelet serving certificate is accepted by whoever trusts its CA: where that CA also signs client
     * identities (and, on kubeadm, the API server's own certificate), a node's serving certificate
     * chains to the same root as the API server. Worth a warning, not a refusal (kube-controller-manager
     * runs so by default).
     */
    private Optional<String> sharedServingCa() {
        CertificateAuthority serving = authorities.get(SignerNames.KUBELET_SERVING);
        if (serving == null) {
            return Optional.empty();
        }
        List<String> sharing = authorities.entrySet().stream()
                .filter(e -> !e.getKey().equals(SignerNames.KUBELET_SERVING)
                        && e.getValue().certificate().equals(serving.certificate()))
                .map(Map.Entry::getKey).sorted().toList();
        return sharing.isEmpty() ? Optional.empty() : Optional.of("kubelet-serving certificates are signed by the same CA as "
                + sharing + ": give kubelet-serving a CA of its own (csrflow.signer.signers.kubelet-serving.*) so that a "
                + "node's serving certificate never chains to the root that client identities and the API server chain to");
    }

    /**
     * A signer of one's own whose CA key is also a Kubernetes signer's: what it signs would chain to the
     * cluster's client CA (an identity the API server accepts, whatever the profile) and its bundle,
     * published in every namespace, would be that CA. Refused, naming both.
     */
    static Optional<String> customSignerOnKubernetesKey(Map<String, X509Certificate> current) {
        for (Map.Entry<String, X509Certificate> custom : current.entrySet()) {
            if (SignerNames.isKubernetes(custom.getKey())) {
                continue;
            }
            for (Map.Entry<String, X509Certificate> kubernetes : current.entrySet()) {
                if (SignerNames.isKubernetes(kubernetes.getKey())
                        && kubernetes.getValue().getPublicKey().equals(custom.getValue().getPublicKey())) {
                    return Optional.of("the CA of " + custom.getKey() + " has the key of the CA of " + kubernetes.getKey()
                            + ": give every signer of your own a CA of its own, so that its certificates never chain to "
                            + "a CA the cluster trusts for other purposes");
                }
            }
        }
        return Optional.empty();
    }

    /** The CA that signs for this signer name, if it is served here. */
    public Optional<CertificateAuthority> forSigner(String signerName) {
        return Optional.ofNullable(authorities.get(signerName));
    }

    public Map<String, CertificateAuthority> all() {
        return Map.copyOf(authorities);
    }

    /** For legacy-unknown, the usages its profile allows; empty for the signers with Kubernetes' own rules. */
    public Optional<Set<String>> allowedUsages(String signerName) {
        CaSource source = sources.get(signerName);
        return source == null ? Optional.empty() : source.allowedUsages();
    }

    /** For a signer that is not Kubernetes', what its profile allows. */
    public Optional<SignerProfile> profile(String signerName) {
        CaSource source = sources.get(signerName);
        return source == null ? Optional.empty() : source.profile();
    }

    /** How this signer answers PodCertificateRequests; empty when it leaves them to others. */
    public Optional<PodCertificateSettings> podCertificates(String signerName) {
        CaSource source = sources.get(signerName);
        return source == null ? Optional.empty() : source.podCertificates();
    }

    /** Every SPIFFE trust domain a signer issues pod certificates in. */
    public Set<String> podTrustDomains() {
        Set<String> domains = new TreeSet<>();
        sources.values().forEach(source -> source.podCertificates().ifPresent(p -> domains.add(p.trustDomain())));
        return domains;
    }

    /** The longest lifetime of a certificate of this signer: its profile's, else {@code csrflow.signer.max-duration}. */
    public Duration maxDuration(String signerName) {
        return profile(signerName).map(SignerProfile::maxDuration).orElse(config.maxDuration());
    }

    /** Whether this signer's bundle goes into every selected namespace's ConfigMap. */
    public boolean publishedToNamespaces(String signerName) {
        CaSource source = sources.get(signerName);
        return source != null && source.publishToNamespaces();
    }

    /**
     * Every CA certificate whose certificates count as this signer's: the current one, those listed as
     * previous and those replaced while running, as long as they can still vouch for a valid certificate.
     */
    public List<X509Certificate> trusted(String signerName) {
        CertificateAuthority current = authorities.get(signerName);
        if (current == null) {
            return List.of();
        }
        List<X509Certificate> all = new ArrayList<>(List.of(current.certificate()));
        all.addAll(earlier(signerName));
        return List.copyOf(all);
    }

    /**
     * CAs replaced while running and until when they stay trusted, per signer: what {@link
     * io.csrflow.signer.kube.TrustBundle} records beside the bundle so that every replica, and this one
     * after a restart, keeps trusting them.
     */
    public Map<String, Map<X509Certificate, Instant>> retiredUntil() {
        Instant now = clock.instant();
        Map<String, Map<X509Certificate, Instant>> all = new LinkedHashMap<>();
        retired.forEach((signer, list) -> list.stream().filter(r -> r.keepUntil().isAfter(now))
                .forEach(r -> all.computeIfAbsent(signer, s -> new LinkedHashMap<>()).put(r.certificate(), r.keepUntil())));
        return all;
    }

    /**
     * A CA another replica (or this one before a restart) replaced, as the published record says, once
     * {@link #vouched} has shown that a CA of this signer signed the record: trusted here too until
     * {@code keepUntil}, which is held to what a replacement now would give it ({@link #lastVouching}).
     * Ignored for signers not served here, for the current CA and once past its time.
     */
    public void adopt(String signer, X509Certificate certificate, Instant keepUntil) {
        CertificateAuthority current = authorities.get(signer);
        Instant bound = lastVouching(signer, certificate);
        Instant until = keepUntil.isBefore(bound) ? keepUntil : bound;
        if (current == null || current.certificate().equals(certificate) || !until.isAfter(clock.instant())) {
            return;
        }
        List<Retired> list = retired.computeIfAbsent(signer, s -> new java.util.concurrent.CopyOnWriteArrayList<>());
        if (list.stream().noneMatch(r -> r.certificate().equals(certificate))) {
            list.add(new Retired(certificate, until, false));
        }
    }

    /**
     * The last moment a CA replaced now may still vouch for something: its own end, or the end of the
     * longest certificate it could have signed just now.
     */
    private Instant lastVouching(String signer, X509Certificate ca) {
        Instant lastValid = ca.getNotAfter().toInstant();
        Instant maxIssued = clock.instant().plus(maxDuration(signer));
        return lastValid.isBefore(maxIssued) ? lastValid : maxIssued;
    }

    /**
     * The signer's current CA key signs {@code record} (the published record of its replaced CAs), so
     * that a replica adopts only CAs that a holder of one of this signer's CA keys recorded, never what
     * someone with write access to the ConfigMap alone put there.
     *
     * @return the signature, and the SHA-256 fingerprint of the CA certificate that verifies it
     */
    public Vouch vouch(String signer, byte[] record) throws GeneralSecurityException {
        CertificateAuthority ca = authorities.get(signer);
        if (ca == null) {
            throw new IllegalArgumentException(signer + " is not served here");
        }
        return new Vouch(Fingerprints.sha256(ca.certificate()), CaSignatures.sign(ca.key(), ca.signatureAlgorithm(),
                ca.signingProvider().orElse(provider), record));
    }

    /** A signature over a record, by the CA certificate with this SHA-256 fingerprint. */
    public record Vouch(String caFingerprint, byte[] signature) {
    }

    /**
     * Whether {@code vouch} is a signature over {@code record} by a CA this replica knows as the signer's
     * of its own knowledge and that may still vouch for something: the current or next CA, one listed as
     * previous and not yet expired, or one it saw replaced and still keeps. CAs adopted from the record
     * itself never count, so the record cannot vouch for itself; nor does the key of a CA long gone,
     * which may be kept less carefully than the one in use.
     */
    public boolean vouched(String signer, byte[] record, Vouch vouch) {
        return ownKnowledge(signer).stream().filter(known -> Fingerprints.sha256(known).equals(vouch.caFingerprint()))
                .findFirst().map(known -> CaSignatures.verifies(known, provider, record, vouch.signature()))
                .orElse(false);
    }

    private List<X509Certificate> ownKnowledge(String signer) {
        List<X509Certificate> known = new ArrayList<>();
        CertificateAuthority current = authorities.get(signer);
        if (current != null) {
            known.add(current.certificate());
        }
        X509Certificate next = nextCertificates.get(signer);
        if (next != null) {
            known.add(next);
        }
        Instant now = clock.instant();
        previousCertificates.getOrDefault(signer, List.of()).stream()
                .filter(c -> c.getNotAfter().toInstant().isAfter(now)).forEach(known::add);
        retired.getOrDefault(signer, List.of()).stream().filter(r -> r.observed() && r.keepUntil().isAfter(now))
                .map(Retired::certificate).forEach(known::add);
        return known;
    }

    /** Current CA certificate, then the next one if configured, then the earlier ones still vouching for something. */
    public Map<String, List<X509Certificate>> bundles() {
        Map<String, List<X509Certificate>> bundles = new LinkedHashMap<>();
        authorities.forEach((signer, ca) -> {
            List<X509Certificate> certificates = new ArrayList<>(List.of(ca.certificate()));
            X509Certificate next = nextCertificates.get(signer);
            if (next != null && !next.equals(ca.certificate())) {
                certificates.add(next);
            }
            earlier(signer).stream().filter(c -> !certificates.contains(c)).forEach(certificates::add);
            bundles.put(signer, List.copyOf(certificates));
        });
        return bundles;
    }

    private List<X509Certificate> earlier(String signer) {
        Instant now = clock.instant();
        X509Certificate current = authorities.get(signer) == null ? null : authorities.get(signer).certificate();
        List<X509Certificate> earlier = new ArrayList<>();
        previousCertificates.getOrDefault(signer, List.of()).stream()
                .filter(c -> c.getNotAfter().toInstant().isAfter(now)).forEach(earlier::add);
        retired.getOrDefault(signer, List.of()).stream().filter(r -> r.keepUntil().isAfter(now))
                .map(Retired::certificate).filter(c -> !earlier.contains(c)).forEach(earlier::add);
        earlier.remove(current);
        return earlier;
    }

    private void load(String signer, CaSource source, String stamp) throws CaLoadException {
        X509Certificate next = source.nextCertFile().isPresent() ? loader.readCertificate(source.nextCertFile().get())
                : null;
        List<X509Certificate> previous = new ArrayList<>();
        for (var file : source.previousCertFiles()) {
            previous.addAll(loader.readCertificates(file));
        }
        CertificateAuthority ca = source.pkcs11().isPresent()
                ? tokenLoader.load(source.certFile(), source.pkcs11().get())
                : loader.load(source.certFile(), source.keyFile().orElseThrow());
        Map<String, X509Certificate> serving = new LinkedHashMap<>();
        authorities.forEach((name, authority) -> serving.put(name, authority.certificate()));
        serving.put(signer, ca.certificate());
        Optional<String> refusal = customSignerOnKubernetesKey(serving);
        if (refusal.isPresent()) {
            throw new CaLoadException(refusal.get());
        }
        ca.warnings().forEach(w -> LOG.warnf("CA of %s: %s", signer, w));
        CertificateAuthority replaced = authorities.put(signer, ca);
        if (replaced != null && !replaced.certificate().equals(ca.certificate())) {
            retire(signer, replaced.certificate());
        }
        if (next != null) {
            nextCertificates.put(signer, next);
        } else {
            nextCertificates.remove(signer);
        }
        previousCertificates.put(signer, List.copyOf(previous));
        // The stamp of the files before they were read: files replaced while they were read differ from it,
        // so the next tick loads them again (a stamp taken now would match them and hide the change).
        stamps.put(signer, stamp);
    }

    private void retire(String signer, X509Certificate old) {
        Instant keepUntil = lastVouching(signer, old);
        retired.computeIfAbsent(signer, s -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new Retired(old, keepUntil, true));
        LOG.infof("CA of %s replaced: the old CA (%s, serial %s) stays in the trust bundle until %s", signer,
                old.getSubjectX500Principal().getName(), old.getSerialNumber().toString(16), keepUntil);
    }

    private void reloadChanged() {
        boolean any = false;
        for (Map.Entry<String, CaSource> entry : sources.entrySet()) {
            String stamp = entry.getValue().stamp();
            if (stamp.equals(stamps.get(entry.getKey()))) {
                continue;
            }
            try {
                load(entry.getKey(), entry.getValue(), stamp);
                any = true;
                LOG.infof("reloaded the CA of %s from %s", entry.getKey(), entry.getValue().certFile());
                registry.counter("csrflow.signer.ca.reloads", "signer", entry.getKey()).increment();
            } catch (CaLoadException | RuntimeException e) {
                // Keep signing with the CA in use; the files may be half written.
                registry.counter("csrflow.signer.ca.reload.failures", "signer", entry.getKey()).increment();
                LOG.errorf("CA files of %s changed but cannot be loaded; still using the previous CA: %s",
                        entry.getKey(), e.getMessage());
            }
        }
        if (any) {
            changed.fire(new CaChanged(bundles()));
        }
    }

    /** For readiness: what each signer trusts besides its current CA. */
    public Map<String, String> describe() {
        Map<String, String> described = new LinkedHashMap<>();
        authorities.forEach((signer, ca) -> described.put(signer, "valid until " + ca.certificate().getNotAfter()
                .toInstant() + (ca.keyFile().isEmpty() ? ", key in a PKCS#11 token" : "")
                + (nextCertificates.containsKey(signer) ? ", next CA published" : "")
                + ", " + earlier(signer).size() + " earlier CA(s) trusted"));
        return described;
    }

    @PreDestroy
    void stop() {
        reloader.shutdownNow();
    }
}
