package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.Pem;
import io.csrflow.service.FollowedInformer;
import io.csrflow.signer.SignerConfig;
import io.csrflow.signer.ca.CaRegistry;
import io.csrflow.signer.domain.NamespaceSelector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code csrflow-ca-bundle} ConfigMap in every namespace the selector matches, as
 * kube-controller-manager's root-ca-cert-publisher keeps {@code kube-root-ca.crt} and trust-manager its
 * targets: {@code <signer with '/' as '_'>.crt} for each signer published to namespaces and
 * {@code ca.crt} with all of them. Written for a new namespace, when the CAs change, and when the
 * ConfigMap is deleted or edited; deleted from a namespace that stops matching. Each namespace is
 * judged on its own key, so one namespace the API refuses (terminating, quota) holds back no other.
 * Two replicas write only what differs, so they do not take turns rewriting it.
 */
@ApplicationScoped
public class NamespaceBundles {
    /** Every published signer's CAs in one file, for clients that take a single CA file. */
    public static final String ALL_KEY = "ca.crt";
    private static final Logger LOG = Logger.getLogger(NamespaceBundles.class);

    private final KubernetesClient client;
    private final CaRegistry cas;
    private final MeterRegistry registry;
    private final SignerConfig.NamespaceBundles config;
    private final NamespaceSelector selector;
    private final ReconcileQueue queue;
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile FollowedInformer<Namespace> namespaces;
    private volatile FollowedInformer<ConfigMap> configMaps;

    NamespaceBundles(KubernetesClient client, CaRegistry cas, SignerConfig config, MeterRegistry registry) {
        this.client = client;
        this.cas = cas;
        this.registry = registry;
        this.config = config.signer().namespaceBundles();
        try {
            this.selector = NamespaceSelector.parse(this.config.namespaceSelector().orElse(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("csrflow.signer.namespace-bundles.namespace-selector: " + e.getMessage(), e);
        }
        this.queue = new ReconcileQueue("configmap", this::reconcile, registry);
    }

    /** The key of a signer's bundle in the ConfigMap. */
    public static String key(String signer) {
        return signer.replace('/', '_') + ".crt";
    }

    void caChanged(@Observes CaRegistry.CaChanged changed) {
        if (!config.enabled()) {
            return;
        }
        if (changed.bundles().keySet().stream().noneMatch(cas::publishedToNamespaces)) {
            LOG.infof("no served signer is published to namespaces; no %s ConfigMaps", config.name());
            return;
        }
        if (watching.compareAndSet(false, true)) {
            // Started once the CAs are loaded, so that nothing is judged with no bundle to publish; the
            // informers' first list queues every namespace.
            LOG.infof("publishing ConfigMap %s to %s", config.name(), selector);
            // An API not answering yet delays them; one that stops for good is started afresh, and once
            // it has listed every namespace is looked at again: a ConfigMap deleted meanwhile raised no event.
            namespaces = new FollowedInformer<>("Namespaces", () -> {
                SharedIndexInformer<Namespace> created = client.namespaces().runnableInformer(0);
                created.addEventHandler(handler(n -> n.getMetadata().getName()));
                return created;
            }).onListedAfresh(this::lookAtEveryNamespace);
            configMaps = new FollowedInformer<>("ConfigMaps " + config.name(), () -> {
                SharedIndexInformer<ConfigMap> created = client.configMaps().inAnyNamespace()
                        .withField("metadata.name", config.name()).runnableInformer(0);
                created.addEventHandler(handler(c -> c.getMetadata().getNamespace()));
                return created;
            }).onListedAfresh(this::lookAtEveryNamespace);
            namespaces.start();
            configMaps.start();
        } else {
            lookAtEveryNamespace();
        }
    }

    private void lookAtEveryNamespace() {
        SharedIndexInformer<Namespace> current = namespaces.current();
        if (current != null) {
            current.getStore().listKeys().forEach(queue::add);
        }
    }

    /** Events only name the namespace to look at again. */
    private <T> ResourceEventHandler<T> handler(java.util.function.Function<T, String> namespace) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                queue.add(namespace.apply(object));
            }

            @Override
            public void onUpdate(T before, T after) {
                queue.add(namespace.apply(after));
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                queue.add(namespace.apply(object));
            }
        };
    }

    private void reconcile(String name) {
        // Each informer read once: one started afresh has a store of its own.
        SharedIndexInformer<Namespace> namespaceInformer = namespaces.syncedInformer();
        SharedIndexInformer<ConfigMap> configMapInformer = configMaps.syncedInformer();
        if (namespaceInformer == null || configMapInformer == null) {
            // An informer that has not listed yet, or was started afresh and lists again: nothing is
            // judged on an empty or frozen store, and the namespace is looked at once both have listed.
            queue.addAfter(name, Duration.ofSeconds(1));
            return;
        }
        Namespace namespace = namespaceInformer.getStore().getByKey(name);
        ConfigMap current = configMapInformer.getStore().getByKey(name + "/" + config.name());
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() != null
                || namespace.getStatus() != null && "Terminating".equals(namespace.getStatus().getPhase())) {
            return;
        }
        if (!selector.matches(namespace.getMetadata().getLabels())) {
            if (current != null && PublishedBundles.managed(current.getMetadata().getLabels())) {
                client.configMaps().inNamespace(name).withName(config.name()).delete();
                LOG.infof("deleted ConfigMap %s/%s: the namespace is not selected (%s)", name, config.name(), selector);
            }
            return;
        }
        Map<String, String> data = wanted();
        if (current == null) {
            client.configMaps().inNamespace(name).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(config.name()).withNamespace(name).withLabels(PublishedBundles.LABELS).endMetadata()
                    .withData(data).build()).create();
        } else if (same(current.getData(), data) && (current.getBinaryData() == null || current.getBinaryData().isEmpty())
                && PublishedBundles.labelled(current.getMetadata().getLabels())) {
            // binaryData counts: a pod that mounts the whole ConfigMap would trust a CA put there too.
            return;
        } else {
            // A copy: the informer's object is shared. Its resourceVersion makes a stale cache a 409, retried.
            client.configMaps().inNamespace(name).resource(new ConfigMapBuilder(current).editMetadata()
                    .addToLabels(PublishedBundles.LABELS).endMetadata().withData(data).withBinaryData(null).build())
                    .update();
        }
        registry.counter("csrflow.signer.trust.published", "target", "configmap").increment();
        LOG.infof("published ConfigMap %s/%s (%s)", name, config.name(), String.join(", ", data.keySet()));
    }

    private Map<String, String> wanted() {
        Map<String, String> data = new TreeMap<>();
        List<X509Certificate> all = new ArrayList<>();
        cas.bundles().forEach((signer, certificates) -> {
            if (cas.publishedToNamespaces(signer)) {
                data.put(key(signer), Pem.of(certificates));
                certificates.stream().filter(c -> !all.contains(c)).forEach(all::add);
            }
        });
        data.put(ALL_KEY, Pem.of(all));
        return data;
    }

    private static boolean same(Map<String, String> published, Map<String, String> wanted) {
        if (published == null || !published.keySet().equals(wanted.keySet())) {
            return false;
        }
        return wanted.entrySet().stream().allMatch(e -> Objects.nonNull(published.get(e.getKey()))
                && PublishedBundles.difference(published.get(e.getKey()), e.getValue()) == null);
    }

    @PreDestroy
    void stop() {
        queue.stop();
        if (namespaces != null) {
            namespaces.close();
        }
        if (configMaps != null) {
            configMaps.close();
        }
    }
}
