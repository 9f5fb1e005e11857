package io.csrflow.signer.kube;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    TrustBundle(KubernetesClient client, SignerConfig config, CaRegistry cas, MeterRegistry registry) {
        this.client = client;
        this.config = config.signer().trustBundle();
        this.cas = cas;
        this.registry = registry;
    }

    synchronized void publish(@Observes CaRegistry.CaChanged changed) {
        if (!config.enabled()) {
            return;
        }
        long current = ++change;
        publisher.execute(() -> attempt(current, 0));
    }

    private void attempt(long ofChange, int retry) {
        synchronized (this) {
            if (ofChange != change) {
                return;
            }
        }
        try {
            write();
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

    private void write() {
        // Updated in place when it exists, so that RBAC may limit the signer to this one ConfigMap by
        // name (k8s/ ships it empty); created only where the signer may create ConfigMaps (./csrflow up).
        var existing = client.configMaps().inNamespace(config.namespace()).withName(config.name());
        ConfigMap current = existing.get();
        if (current != null) {
            adoptRetired(current);
        }
        Map<String, String> data = new TreeMap<>();
        cas.bundles().forEach((signer, certificates) -> data.put(file(signer), Pem.of(certificates)));
        Map<String, String> record = record();
        if (current == null) {
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(config.name()).withNamespace(config.namespace())
                    .addToLabels("app.kubernetes.io/part-of", "csrflow").addToAnnotations(record)
                    .endMetadata().withData(data).build()).create();
        } else {
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder(current)
                    .editMetadata().addToAnnotations(record).endMetadata().withData(data).build())
                    .update();
        }
    }

    @PreDestroy
    synchronized void stop() {
        publisher.shutdownNow();
    }

    /**
     * Every CA the published record says was replaced and is still trusted, if its certificate is there
     * too and a CA this replica knows of its own signed the signer's part of the record.
     */
    private void adoptRetired(ConfigMap current) {
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        if (annotations == null || current.getData() == null) {
            return;
        }
        Map<String, CaRegistry.Vouch> proofs = RetiredCaRecord.proofs(annotations.get(RetiredCaRecord.PROOFS));
        RetiredCaRecord.entries(annotations.get(RetiredCaRecord.ENTRIES)).forEach((signer, entries) -> {
            if (cas.forSigner(signer).isEmpty()) {
                return;
            }
            CaRegistry.Vouch proof = proofs.get(signer);
            if (proof == null || !cas.vouched(signer, RetiredCaRecord.signed(signer, entries), proof)) {
                registry.counter("csrflow.signer.trust.bundle.record.refused", "signer", signer).increment();
                LOG.warnf("the record of replaced CAs of %s in ConfigMap %s/%s is %s; its CAs (SHA-256 %s) are not "
                        + "trusted: list those still needed in previous-cert-files", signer, config.namespace(),
                        config.name(), proof == null ? "not signed" : "not signed by a CA of this signer that may still "
                        + "vouch", String.join(", ", entries.stream().map(RetiredCaRecord.Entry::fingerprint).toList()));
                return;
            }
            for (X509Certificate certificate : certificates(current.getData().get(file(signer)))) {
                String fingerprint = Fingerprints.sha256(certificate);
                entries.stream().filter(e -> e.fingerprint().equals(fingerprint))
                        .forEach(e -> cas.adopt(signer, certificate, e.keepUntil()));
            }
        });
    }

    /** The record of replaced CAs, each signer's part signed by its current CA. */
    private Map<String, String> record() {
        Map<String, List<RetiredCaRecord.Entry>> entries = new TreeMap<>();
        cas.retiredUntil().forEach((signer, until) -> until.forEach((certificate, keepUntil) -> entries
                .computeIfAbsent(signer, s -> new ArrayList<>())
                .add(new RetiredCaRecord.Entry(Fingerprints.sha256(certificate), keepUntil))));
        Map<String, CaRegistry.Vouch> proofs = new TreeMap<>();
        entries.forEach((signer, list) -> {
            try {
                proofs.put(signer, cas.vouch(signer, RetiredCaRecord.signed(signer, list)));
            } catch (GeneralSecurityException | RuntimeException e) {
                // Published unsigned: this replica still trusts them, others and later starts will not.
                registry.counter("csrflow.signer.trust.bundle.record.unsigned", "signer", signer).increment();
                LOG.errorf("could not sign the record of replaced CAs of %s with its CA key: %s", signer, e.getMessage());
            }
        });
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
