package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.Pem;
import io.csrflow.service.FollowedInformer;
import io.csrflow.signer.SignerConfig;
import io.csrflow.signer.ca.CaRegistry;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundle;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundleBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundleList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One certificates.k8s.io/v1beta1 ClusterTrustBundle per served signer, linked to it by
 * {@code spec.signerName} and named {@code <signer with '/' as ':'>:bundle} as the API server requires
 * of signer-linked bundles, holding the signer's CAs (current, next, earlier ones still vouching for a
 * valid certificate). Written when the CAs change or someone else changes or deletes one; bundles it
 * labelled for signers no longer served are deleted. The API server admits a signer-linked bundle
 * only from whoever may {@code attest} for that signer, which is why the signer, not an operator,
 * publishes them.
 */
@ApplicationScoped
public class ClusterTrustBundles {
    static final String SUFFIX = ":bundle";
    private static final Logger LOG = Logger.getLogger(ClusterTrustBundles.class);
    private static final String ALL = "all";

    private final KubernetesClient client;
    private final CaRegistry cas;
    private final MeterRegistry registry;
    private final boolean enabled;
    private final ReconcileQueue queue;
    private final AtomicBoolean watching = new AtomicBoolean();
    private final Set<String> undeletable = ConcurrentHashMap.newKeySet();
    private volatile FollowedInformer<ClusterTrustBundle> informer;

    ClusterTrustBundles(KubernetesClient client, CaRegistry cas, SignerConfig config, MeterRegistry registry) {
        this.client = client;
        this.cas = cas;
        this.registry = registry;
        this.enabled = config.signer().clusterTrustBundles().enabled();
        this.queue = new ReconcileQueue("clustertrustbundle", key -> reconcile(), registry);
    }

    /** The name of a signer's bundle. */
    public static String name(String signer) {
        return signer.replace('/', ':') + SUFFIX;
    }

    void caChanged(@Observes CaRegistry.CaChanged changed) {
        if (!enabled) {
            return;
        }
        queue.add(ALL);
        if (watching.compareAndSet(false, true)) {
            // Started after the CAs are loaded, so that no event is handled with nothing to publish; an
            // API not answering yet delays it, and one that stops for good is started afresh.
            // Once one started afresh has listed, everything is looked at again: a bundle deleted
            // meanwhile raised no event.
            informer = new FollowedInformer<>("ClusterTrustBundles", this::newInformer)
                    .onListedAfresh(() -> queue.add(ALL)).start();
        }
    }

    private SharedIndexInformer<ClusterTrustBundle> newInformer() {
        SharedIndexInformer<ClusterTrustBundle> created = bundles()
                .withLabel(PublishedBundles.MANAGED_BY, PublishedBundles.SIGNER_SERVICE).runnableInformer(0);
        created.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ClusterTrustBundle bundle) {
                queue.add(ALL);
            }

            @Override
            public void onUpdate(ClusterTrustBundle before, ClusterTrustBundle after) {
                queue.add(ALL);
            }

            @Override
            public void onDelete(ClusterTrustBundle bundle, boolean finalStateUnknown) {
                queue.add(ALL);
            }
        });
        return created;
    }

    private MixedOperation<ClusterTrustBundle, ClusterTrustBundleList, Resource<ClusterTrustBundle>> bundles() {
        return client.resources(ClusterTrustBundle.class, ClusterTrustBundleList.class);
    }

    private void reconcile() {
        Map<String, List<X509Certificate>> wanted = cas.bundles();
        wanted.forEach(this::publish);
        for (ClusterTrustBundle stale : bundles().withLabel(PublishedBundles.MANAGED_BY, PublishedBundles.SIGNER_SERVICE)
                .list().getItems()) {
            String signer = stale.getSpec() == null ? null : stale.getSpec().getSignerName();
            if (signer == null || !wanted.containsKey(signer)) {
                deleteStale(stale.getMetadata().getName(), signer);
            }
        }
    }

    /**
     * RBAC names the bundles the signer may delete, and a signer dropped from the configuration is
     * usually dropped from the ClusterRole too: then an operator deletes it, and retrying would not help.
     */
    private void deleteStale(String name, String signer) {
        try {
            bundles().withName(name).delete();
            LOG.infof("deleted ClusterTrustBundle %s: signer %s is not served any more", name, signer);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            if (undeletable.add(name)) {
                LOG.warnf("ClusterTrustBundle %s is for signer %s, which is not served any more, and the signer may "
                        + "not delete it: kubectl delete clustertrustbundle %s", name, signer, name);
            }
        }
    }

    private void publish(String signer, List<X509Certificate> certificates) {
        String name = name(signer);
        String pem = Pem.of(certificates);
        ClusterTrustBundle current = bundles().withName(name).get();
        if (current == null) {
            bundles().resource(new ClusterTrustBundleBuilder().withNewMetadata().withName(name)
                    .withLabels(PublishedBundles.LABELS).endMetadata()
                    .withNewSpec().withSignerName(signer).withTrustBundle(pem).endSpec().build()).create();
        } else if (current.getSpec() != null && signer.equals(current.getSpec().getSignerName())
                && PublishedBundles.difference(current.getSpec().getTrustBundle(), pem) == null
                && PublishedBundles.labelled(current.getMetadata().getLabels())) {
            return;
        } else {
            ClusterTrustBundle changed = new ClusterTrustBundleBuilder(current).editMetadata()
                    .addToLabels(PublishedBundles.LABELS).endMetadata()
                    .editOrNewSpec().withSignerName(signer).withTrustBundle(pem).endSpec().build();
            bundles().resource(changed).update();
        }
        registry.counter("csrflow.signer.trust.published", "target", "clustertrustbundle").increment();
        LOG.infof("published ClusterTrustBundle %s (%d CA certificate(s) of %s)", name, certificates.size(), signer);
    }

    @PreDestroy
    void stop() {
        queue.stop();
        if (informer != null) {
            informer.close();
        }
    }
}
