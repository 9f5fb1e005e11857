package io.csrflow.watcher.kube;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.events.MissingFieldException;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.service.Backoff;
import io.csrflow.service.PodCertificateSnapshots;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.messaging.ObservedPublisher;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The informer on {@code certificates.k8s.io/v1beta1} PodCertificateRequests in every namespace, run
 * while this replica leads (see {@link SnapshotInformer}); each change is published as
 * {@code pcr.observed}. Whether to run it is decided once, at start: not when
 * {@code csrflow.watcher.pod-certificates.enabled} is false, and not when discovery says that the
 * API server does not serve them (an older Kubernetes, the feature gate off). Either way one log line
 * says so and why, readiness does not wait for it, and CSRs are watched as before. Until the API
 * has answered discovery (it may not be up yet) the question is asked again with backoff, and a
 * leader is not ready, as it is not before its CSR informer has synced.
 */
@ApplicationScoped
public class PodCertificateInformer {
    private static final Logger LOG = Logger.getLogger(PodCertificateInformer.class);
    private static final Backoff ASK_AGAIN = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    private final KubernetesClient client;
    private final boolean enabled;
    private final SnapshotInformer<GenericKubernetesResource> informer;
    /** What discovery said (or the setting); null until it is known. */
    private volatile PodCertificateDiscovery.Answer answer;
    /** Whether this replica leads, so that the informer starts as soon as discovery says it may. */
    private boolean leading;
    private Thread asking;

    PodCertificateInformer(KubernetesClient client, ObservedPublisher publisher, Clock clock, WatcherConfig config,
            MeterRegistry registry) {
        this.client = client;
        this.enabled = config.watcher().podCertificates().enabled();
        long resyncMillis = config.watcher().resync().toMillis();
        Counter unreadable = Counter.builder("csrflow.watcher.pcr.events.dropped").tag("reason", "unreadable")
                .description("PodCertificateRequests not published because a field the contract requires is absent")
                .register(registry);
        this.informer = new SnapshotInformer<>("PodCertificateRequests",
                () -> client.genericKubernetesResources(PodCertificateDiscovery.CONTEXT).inAnyNamespace()
                        .runnableInformer(resyncMillis),
                (pcr, deleted) -> {
                    PodCertificateObserved snapshot;
                    try {
                        snapshot = PodCertificateSnapshots.of(pcr, deleted, clock.instant());
                    } catch (MissingFieldException e) {
                        // The API server never serves such an object; a stand-in might.
                        unreadable.increment();
                        LOG.errorf("PodCertificateRequest %s/%s is not published: %s",
                                pcr.getMetadata().getNamespace(), pcr.getMetadata().getName(), e.getMessage());
                        return;
                    }
                    publisher.publish(snapshot);
                });
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            decide(new PodCertificateDiscovery.Answer(false, "csrflow.watcher.pod-certificates.enabled=false"));
            return;
        }
        asking = new Thread(this::askDiscovery, "pcr-discovery");
        asking.setDaemon(true);
        asking.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (asking != null) {
            asking.interrupt();
        }
    }

    /** This replica leads: runs the informer once discovery says the API serves PodCertificateRequests. */
    public synchronized void start() {
        leading = true;
        PodCertificateDiscovery.Answer known = answer;
        if (known != null && known.served()) {
            informer.start();
        }
    }

    public synchronized void stop() {
        leading = false;
        informer.stop();
    }

    /** Ready to lead: discovery has answered, and if the API serves PodCertificateRequests the informer has synced. */
    public boolean ready() {
        PodCertificateDiscovery.Answer known = answer;
        return known != null && (!known.served() || informer.synced());
    }

    public boolean synced() {
        return informer.synced();
    }

    /** For readiness: {@code watched}, or why not, or that discovery has not answered yet. */
    public String state() {
        PodCertificateDiscovery.Answer known = answer;
        if (known == null) {
            return "asking the API server whether it serves " + PodCertificateDiscovery.RESOURCE;
        }
        return known.served() ? "watched" : "not watched: " + known.reason();
    }

    private void askDiscovery() {
        for (int attempt = 0; ; attempt++) {
            try {
                decide(PodCertificateDiscovery.ask(client));
                return;
            } catch (KubernetesClientException e) {
                String why = e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getMessage() : e.getMessage();
                if (attempt == 0) {
                    LOG.warnf("cannot tell yet whether the API server serves PodCertificateRequests (%s); asking "
                            + "again with backoff", why);
                } else {
                    LOG.debugf("discovery of %s still unanswered (%s)", PodCertificateDiscovery.GROUP_VERSION, why);
                }
                if (!ASK_AGAIN.pause(attempt)) {
                    return;
                }
            }
        }
    }

    private synchronized void decide(PodCertificateDiscovery.Answer known) {
        answer = known;
        if (known.served()) {
            LOG.infof("pod certificates are watched: %s", known.reason());
            if (leading) {
                informer.start();
            }
        } else {
            LOG.infof("pod certificates are not watched: %s; CSRs are watched as before", known.reason());
        }
    }
}
