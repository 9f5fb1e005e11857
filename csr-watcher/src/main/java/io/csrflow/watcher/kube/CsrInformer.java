package io.csrflow.watcher.kube;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.CsrSnapshots;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.messaging.ObservedPublisher;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The informer on {@code certificates.k8s.io/v1} CSRs, run while this replica leads (see
 * {@link SnapshotInformer}); each change is published as {@code csr.observed}, a deletion by the
 * cleaner with its reason. Its cache is what the cleaner looks at.
 */
@ApplicationScoped
public class CsrInformer {
    private final SnapshotInformer<CertificateSigningRequest> informer;

    CsrInformer(KubernetesClient client, ObservedPublisher publisher, CleanerDeletions cleanerDeletions, Clock clock,
            WatcherConfig config) {
        long resyncMillis = config.watcher().resync().toMillis();
        this.informer = new SnapshotInformer<>("CSRs",
                () -> client.certificates().v1().certificateSigningRequests().runnableInformer(resyncMillis),
                (csr, deleted) -> publisher.publish(deleted
                        ? cleanerDeletions.explain(CsrSnapshots.of(csr, true, clock.instant()))
                        : CsrSnapshots.of(csr, false, clock.instant())));
    }

    public void start() {
        informer.start();
    }

    public void stop() {
        informer.stop();
    }

    public boolean synced() {
        return informer.synced();
    }

    /** The CSRs in the cache, as the informer holds them: read them, never change them. Empty unless running. */
    public List<CertificateSigningRequest> cached() {
        return informer.cached();
    }
}
