package io.csrflow.signer.kube;

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

/**
 * Trust distribution: a ConfigMap with each served signer's CA bundle ({@code <signer>.crt},
 * Kubernetes' signers without the {@code kubernetes.io/} prefix, others with '/' as '_'): the current CA, the next one during a rotation,
 * and every earlier one still vouching for a valid certificate; republished whenever they change.
 *
 * <p>The ConfigMap is also the replicas' shared memory of CAs replaced while running: the annotation
 * {@link #RETIRED} lists each such CA (signer, SHA-256 of the certificate, until when it stays
 * trusted). A replica that did not see the replacement, or that restarted since, adopts them before
 * it publishes, so replicas never overwrite each other's bundles with fewer CAs.
 *
 * <p>Publishing runs on a thread of its own and is tried again with backoff until the API takes it:
 * at start-up the API server may not answer yet, or the signer's Role may not be bound yet, and
 * neither may hold the start back or leave the bundle unpublished until the next CA change.
 */
@ApplicationScoped
public class TrustBundle {
    /** {@code <signer>/<sha256>=<keep until>} entries, comma separated. */
    public static final String RETIRED = "csrflow.io/retired-cas";
    private static final Logger LOG = Logger.getLogger(TrustBundle.class);
    private static final String PREFIX = "kubernetes.io/";
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    private final KubernetesClient client;
    private final SignerConfig.TrustBundle config;
    private final CaRegistry cas;
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "trust-bundle-publisher");
        thread.setDaemon(true);
        return thread;
    });
    /** Counts CA changes: a retry for an earlier one stops when a newer one is being published. */
    private long change;

    TrustBundle(KubernetesClient client, SignerConfig config, CaRegistry cas) {
        this.client = client;
        this.config = config.signer().trustBundle();
        this.cas = cas;
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
        String retired = retiredAnnotation();
        if (current == null) {
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(config.name()).withNamespace(config.namespace())
                    .addToLabels("app.kubernetes.io/part-of", "csrflow").addToAnnotations(RETIRED, retired)
                    .endMetadata().withData(data).build()).create();
        } else {
            client.configMaps().inNamespace(config.namespace()).resource(new ConfigMapBuilder(current)
                    .editMetadata().addToAnnotations(RETIRED, retired).endMetadata().withData(data).build())
                    .update();
        }
    }

    @PreDestroy
    synchronized void stop() {
        publisher.shutdownNow();
    }

    /** Every CA the published record says was replaced and is still trusted, if its certificate is there too. */
    private void adoptRetired(ConfigMap current) {
        String recorded = current.getMetadata().getAnnotations() == null ? null
                : current.getMetadata().getAnnotations().get(RETIRED);
        if (recorded == null || recorded.isBlank() || current.getData() == null) {
            return;
        }
        for (String entry : recorded.split(",")) {
            int equals = entry.indexOf('=');
            int slash = equals < 0 ? -1 : entry.lastIndexOf('/', equals);
            if (slash < 0) {
                continue;
            }
            String named = entry.substring(0, slash).trim();
            String signer = named.contains("/") ? named : PREFIX + named;
            String fingerprint = entry.substring(slash + 1, equals).trim();
            Instant keepUntil;
            try {
                keepUntil = Instant.parse(entry.substring(equals + 1).trim());
            } catch (RuntimeException e) {
                continue;
            }
            for (X509Certificate certificate : certificates(current.getData().get(file(signer)))) {
                if (Fingerprints.sha256(certificate).equals(fingerprint)) {
                    cas.adopt(signer, certificate, keepUntil);
                }
            }
        }
    }

    private String retiredAnnotation() {
        List<String> entries = new ArrayList<>();
        cas.retiredUntil().forEach((signer, until) -> until.forEach((certificate, keepUntil) -> entries.add(
                shortName(signer) + "/" + Fingerprints.sha256(certificate) + "="
                        + keepUntil)));
        return String.join(",", entries);
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

    /** Kubernetes' signers without their {@code kubernetes.io/} prefix, as ever; any other by its full name. */
    private static String shortName(String signer) {
        return signer.startsWith(PREFIX) ? signer.substring(PREFIX.length()) : signer;
    }
}
