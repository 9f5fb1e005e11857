package io.csrflow.signer.kube;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.Fingerprints;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SignerNames;
import io.csrflow.service.Backoff;
import io.csrflow.signer.SignerConfig;
import io.csrflow.signer.ca.CaRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Trust distribution: a ConfigMap with each served signer's CA bundle ({@code <signer>.crt},
 * Kubernetes' signers without the {@code kubernetes.io/} prefix, others with '/' as '_'): the current CA, the next one during a rotation,
 * and every earlier one still vouching for a valid certificate; republished whenever they change.
 *
 * <p>The ConfigMap is also the replicas' shared memory of CAs replaced while running: the annotation
 * {@code csrflow.io/retired-cas} lists each such CA (signer, SHA-256 of the certificate, until when it stays
 * trusted), signed by the signer's current CA ({@link RetiredCaRecord}). A replica that did not see the
 * replacement, or that restarted since, adopts them before it publishes, so replicas never overwrite
 * each other's bundles with fewer CAs; but only when a CA it knows of its own (current, next, previous,
 * or seen replaced) signed them: whoever may edit the ConfigMap cannot make a CA trusted that way.
 *
 * <p>Publishing runs on a thread of its own and is tried again with backoff until the API takes it:
 * at start-up the API server may not answer yet, or the signer's Role may not be bound yet, and
 * neither may hold the start back or leave the bundle unpublished until the next CA change.
 *
 * <p>Between CA changes the ConfigMap is read back every resync interval and written again when it no
 * longer holds exactly this replica's CAs, or carries a record part this replica refuses: the rotation
 * scheduler believes every CA in it, so an edit that slips in a CA of someone else's is undone, not
 * left there until the next rotation. Two replicas that disagree for a moment (one has not yet read a
 * renewed CA Secret) rewrite each other's ConfigMap until both have read it.
 */
@ApplicationScoped
public class TrustBundle {
    private static final Logger LOG = Logger.getLogger(TrustBundle.class);
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    private final KubernetesClient client;
    private final SignerConfig.TrustBundle config;
    private final CaRegistry cas;
    private final MeterRegistry registry;
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "trust-bundle-publisher");
        thread.setDaemon(true);
        return thread;
    });
    /** Counts CA changes: a retry for an earlier one stops when a newer one is being published. */
    private long change;
    private boolean resyncing;
    // The publisher thread alone reads and writes these three: each drift, refusal and failure is
    // logged when it starts, not once per resync while it lasts.
    private Integer resyncFailure;
    private String lastDrift;
    private String lastRefusal;
    /** Signers whose record part this replica could not sign last time: its own refusal of them is no drift. */
    private Set<String> unsigned = Set.of();

    TrustBundle(KubernetesClient client, SignerConfig config, CaRegistry cas, MeterRegistry registry) {
        this.client = client;
        this.config = config.signer().trustBundle();
        if (this.config.resyncInterval().toMillis() <= 0) {
            throw new IllegalArgumentException("csrflow.signer.trust-bundle.resync-interval must be at least 1ms, not "
                    + this.config.resyncInterval());
        }
        this.cas = cas;
        this.registry = registry;
    }

    synchronized void publish(@Observes CaRegistry.CaChanged changed) {
        if (!config.enabled()) {
            return;
        }
        long current = ++change;
        publisher.execute(() -> attempt(current, 0));
        if (!resyncing) {
            // From the first CA change on: before it there is nothing to compare the ConfigMap with.
            resyncing = true;
            long every = config.resyncInterval().toMillis();
            publisher.scheduleWithFixedDelay(this::resync, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void resync() {
        try {
            write(false);
            if (resyncFailure != null && resyncFailure != 409) {
                LOG.infof("read back and, where needed, wrote the CA bundle ConfigMap %s/%s again", config.namespace(),
                        config.name());
            }
            resyncFailure = null;
        } catch (KubernetesClientException e) {
            // The next resync looks again; a CA change meanwhile is published and retried on its own.
            // 409: another replica wrote first, as two replicas undoing the same edit do.
            int code = e.getCode();
            if (code == 409) {
                LOG.debugf("the CA bundle ConfigMap %s/%s changed while it was written again; looking again",
                        config.namespace(), config.name());
            } else if (!Integer.valueOf(code).equals(resyncFailure)) {
                LOG.warnf("could not read back or write again the CA bundle ConfigMap %s/%s (%s); trying again every "
                        + "%d s", config.namespace(), config.name(), code > 0 ? "HTTP " + code + ": " + e.getMessage()
                        : "the API did not answer", config.resyncInterval().toSeconds());
            }
            resyncFailure = code;
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            // A ConfigMap nested deep enough to overflow a parser's stack: report it and keep looking.
            LOG.errorf(e, "could not compare the CA bundle ConfigMap %s/%s with the signer's CAs", config.namespace(),
                    config.name());
        } catch (Throwable e) {
            // A periodic task that throws is never run again: report it and keep looking.
            LOG.errorf(e, "could not compare the CA bundle ConfigMap %s/%s with the signer's CAs", config.namespace(),
                    config.name());
        }
    }

    private void attempt(long ofChange, int retry) {
        synchronized (this) {
            if (ofChange != change) {
                return;
            }
        }
        try {
            write(true);
            if (retry > 0) {
                LOG.infof("published the CA bundle ConfigMap %s/%s", config.namespace(), config.name());
            }
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            // Unreachable, overloaded, written by another replica meanwhile, or not permitted or not
            // there yet (RBAC and namespace applied after the signer started): all may pass.
            boolean passes = code <= 0 || code >= 500 || code == 409 || code == 429 || code == 403 || code == 404;
            Duration pause = RETRY.delay(retry);
            if (!passes) {
                LOG.errorf("could not publish the CA bundle ConfigMap %s/%s (HTTP %d): %s", config.namespace(),
                        config.name(), code, e.getMessage());
                return;
            }
            LOG.warnf("could not publish the CA bundle ConfigMap %s/%s (%s); trying again in %d s", config.namespace(),
                    config.name(), code > 0 ? "HTTP " + code : "the API did not answer", pause.toSeconds());
            synchronized (this) {
                if (ofChange == change && !publisher.isShutdown()) {
                    publisher.schedule(() -> attempt(ofChange, retry + 1), pause.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** @param always false: only when the ConfigMap drifted from what this replica publishes */
    private void write(boolean always) {
        // Updated in place when it exists, so that RBAC may limit the signer to this one ConfigMap by
        // name (k8s/ ships it empty); created only where the signer may create ConfigMaps (./csrflow up).
        var existing = client.configMaps().inNamespace(config.namespace()).withName(config.name());
        ConfigMap current = existing.get();
        List<String> refused = current == null ? List.of() : adoptRetired(current);
        Map<String, String> data = new TreeMap<>();
        cas.bundles().forEach((signer, certificates) -> data.put(file(signer), Pem.of(certificates)));
        if (!always) {
            String drift = current == null ? "it is gone" : BundleDrift.describe(current, data, refused.stream()
                    .filter(signer -> !unsigned.contains(signer)).toList());
            boolean news = drift != null && !drift.equals(lastDrift);
            lastDrift = drift;
            if (drift == null) {
                return;
            }
            if (current != null && Boolean.TRUE.equals(current.getImmutable())) {
                if (news) {
                    LOG.errorf("the CA bundle ConfigMap %s/%s is not what the signer publishes (%s) and was made "
                            + "immutable, so the signer cannot write it again: delete it and create it empty as k8s/ "
                            + "does, and limit who may update it", config.namespace(), config.name(), drift);
                }
                return;
            }
            if (news) {
                LOG.warnf("the CA bundle ConfigMap %s/%s is not what the signer publishes (%s); writing it again",
                        config.namespace(), config.name(), drift);
            }
        }
        Map<String, String> record = record();
        if (current == null) {
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(config.name()).withNamespace(config.namespace())
                    .addToLabels("app.kubernetes.io/part-of", "csrflow").addToAnnotations(record)
                    .endMetadata().withData(data).build()).create();
        } else {
            // Its resourceVersion makes a write crossing another replica's a 409; binaryData keys are
            // files in the volume too, so none are kept.
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder(current)
                    .editMetadata().addToAnnotations(record).endMetadata().withData(data).withBinaryData(null).build())
                    .update();
        }
        if (!always) {
            registry.counter("csrflow.signer.trust.bundle.drift").increment();
        }
    }

    @PreDestroy
    synchronized void stop() {
        publisher.shutdownNow();
    }

    /**
     * Every CA the published record says was replaced and is still trusted, if its certificate is there
     * too and a CA this replica knows of its own signed the signer's part of the record.
     *
     * @return the signers whose part of the record was refused
     */
    private List<String> adoptRetired(ConfigMap current) {
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        if (annotations == null || current.getData() == null) {
            return List.of();
        }
        List<String> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Map<String, CaRegistry.Vouch> proofs = RetiredCaRecord.proofs(annotations.get(RetiredCaRecord.PROOFS));
        RetiredCaRecord.entries(annotations.get(RetiredCaRecord.ENTRIES)).forEach((signer, entries) -> {
            if (cas.forSigner(signer).isEmpty()) {
                return;
            }
            CaRegistry.Vouch proof = proofs.get(signer);
            if (proof == null || !cas.vouched(signer, RetiredCaRecord.signed(signer, entries), proof)) {
                refused.add(signer);
                reasons.add("the record of replaced CAs of " + signer + " in ConfigMap " + config.namespace() + "/"
                        + config.name() + " is " + (proof == null ? "not signed" : "not signed by a CA of this signer "
                        + "that may still vouch") + "; its CAs (SHA-256 " + String.join(", ", entries.stream()
                        .map(RetiredCaRecord.Entry::fingerprint).toList()) + ") are not trusted: list those still "
                        + "needed in previous-cert-files");
                return;
            }
            for (X509Certificate certificate : certificates(current.getData().get(file(signer)))) {
                String fingerprint = Fingerprints.sha256(certificate);
                entries.stream().filter(e -> e.fingerprint().equals(fingerprint))
                        .forEach(e -> cas.adopt(signer, certificate, e.keepUntil()));
            }
        });
        // Logged and counted when found, not again at every resync while the same record stays refused.
        String refusal = refused.isEmpty() ? null : annotations.get(RetiredCaRecord.ENTRIES) + " "
                + annotations.get(RetiredCaRecord.PROOFS) + " " + refused;
        if (refusal != null && !refusal.equals(lastRefusal)) {
            refused.forEach(signer -> registry.counter("csrflow.signer.trust.bundle.record.refused", "signer", signer)
                    .increment());
            reasons.forEach(reason -> LOG.warn(reason));
        }
        lastRefusal = refusal;
        return refused;
    }

    /** The record of replaced CAs, each signer's part signed by its current CA. */
    private Map<String, String> record() {
        Map<String, List<RetiredCaRecord.Entry>> entries = new TreeMap<>();
        cas.retiredUntil().forEach((signer, until) -> until.forEach((certificate, keepUntil) -> entries
                .computeIfAbsent(signer, s -> new ArrayList<>())
                .add(new RetiredCaRecord.Entry(Fingerprints.sha256(certificate), keepUntil))));
        Map<String, CaRegistry.Vouch> proofs = new TreeMap<>();
        Set<String> notSigned = new java.util.TreeSet<>();
        entries.forEach((signer, list) -> {
            try {
                proofs.put(signer, cas.vouch(signer, RetiredCaRecord.signed(signer, list)));
            } catch (GeneralSecurityException | RuntimeException e) {
                // Published unsigned: this replica still trusts them, others and later starts will not.
                notSigned.add(signer);
                registry.counter("csrflow.signer.trust.bundle.record.unsigned", "signer", signer).increment();
                LOG.errorf("could not sign the record of replaced CAs of %s with its CA key: %s", signer, e.getMessage());
            }
        });
        unsigned = Set.copyOf(notSigned);
        return Map.of(RetiredCaRecord.ENTRIES, RetiredCaRecord.entriesAnnotation(entries), RetiredCaRecord.PROOFS,
                RetiredCaRecord.proofsAnnotation(proofs));
    }

    private static List<X509Certificate> certificates(String pem) {
        if (pem == null) {
            return List.of();
        }
        try {
            return Pem.certificates(pem);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private static String file(String signer) {
        return SignerNames.bundleFile(signer);
    }
}
