package io.csrflow.watcher.kube;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.Informers;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.messaging.ObservedPublisher;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The informer on {@code certificates.k8s.io/v1} CSRs, run while this replica leads. Its initial
 * list publishes every existing CSR, so a new leader covers whatever the previous one missed. Its
 * cache is what the cleaner looks at. Starting returns at once; an API that does not answer yet
 * leaves it unsynced (not ready) and listing again with backoff.
 */
@ApplicationScoped
public class CsrInformer {
    private final KubernetesClient client;
    private final ObservedPublisher publisher;
    private final CleanerDeletions cleanerDeletions;
    private final Clock clock;
    private final long resyncMillis;
    private volatile SharedIndexInformer<CertificateSigningRequest> informer;

    CsrInformer(KubernetesClient client, ObservedPublisher publisher, CleanerDeletions cleanerDeletions, Clock clock,
            WatcherConfig config) {
        this.client = client;
        this.publisher = publisher;
        this.cleanerDeletions = cleanerDeletions;
        this.clock = clock;
        this.resyncMillis = config.watcher().resync().toMillis();
    }

    public synchronized void start() {
        if (informer == null) {
            SharedIndexInformer<CertificateSigningRequest> created = client.certificates().v1()
                    .certificateSigningRequests().runnableInformer(resyncMillis);
            created.addEventHandler(new Handler());
            informer = Informers.start(created, "CSRs");
        }
    }

    public synchronized void stop() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
    }

    public boolean synced() {
        SharedIndexInformer<CertificateSigningRequest> current = informer;
        return current != null && current.hasSynced();
    }

    /** The CSRs in the cache, as the informer holds them: read them, never change them. Empty unless running. */
    public List<CertificateSigningRequest> cached() {
        SharedIndexInformer<CertificateSigningRequest> current = informer;
        return current == null ? List.of() : current.getStore().list();
    }

    private final class Handler implements ResourceEventHandler<CertificateSigningRequest> {
        @Override
        public void onAdd(CertificateSigningRequest csr) {
            publisher.publish(CsrSnapshots.of(csr, false, clock.instant()));
        }

        @Override
        public void onUpdate(CertificateSigningRequest old, CertificateSigningRequest csr) {
            publisher.publish(CsrSnapshots.of(csr, false, clock.instant()));
        }

        @Override
        public void onDelete(CertificateSigningRequest csr, boolean deletedFinalStateUnknown) {
            publisher.publish(cleanerDeletions.explain(CsrSnapshots.of(csr, true, clock.instant())));
        }
    }
}
