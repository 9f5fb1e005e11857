package io.csrflow.watcher.kube;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.service.Backoff;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.messaging.ObservedPublisher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the informers (CSRs, PodCertificateRequests) and the cleaner only while this replica holds
 * the {@code csr-watcher} Lease, so one replica publishes and cleans and the others stand by. Losing
 * the Lease stops them and drops unsent snapshots: the next leader's initial lists publish every
 * object again.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final KubernetesClient client;
    private final CsrInformer informer;
    private final PodCertificateInformer podCertificates;
    private final CsrCleaner cleaner;
    private final ObservedPublisher publisher;
    private final WatcherConfig.LeaderElection config;
    private final String identity;
    private final Backoff recampaign;
    private final AtomicBoolean leading = new AtomicBoolean();
    private volatile boolean shuttingDown;
    private volatile CompletableFuture<?> election;

    Leadership(KubernetesClient client, CsrInformer informer, PodCertificateInformer podCertificates,
            CsrCleaner cleaner, ObservedPublisher publisher, WatcherConfig config) {
        this.client = client;
        this.informer = informer;
        this.podCertificates = podCertificates;
        this.cleaner = cleaner;
        this.publisher = publisher;
        this.config = config.watcher().leaderElection();
        this.identity = this.config.identity().orElseGet(Leadership::defaultIdentity);
        // client-go's elector retries its Lease every retry period; standing again after losing
        // the election keeps the same pace.
        this.recampaign = Backoff.constant(this.config.retryPeriod());
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            leading.set(true);
            informer.start();
            podCertificates.start();
            cleaner.start();
            return;
        }
        campaign();
    }

    void onStop(@Observes ShutdownEvent event) {
        shuttingDown = true;
        CompletableFuture<?> current = election;
        if (current != null) {
            current.cancel(true);
        }
        cleaner.stop();
        informer.stop();
        podCertificates.stop();
    }

    public boolean leading() {
        return leading.get();
    }

    public String identity() {
        return identity;
    }

    private void campaign() {
        LOG.infof("campaigning for lease %s/%s as %s", config.namespace(), config.leaseName(), identity);
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(config.leaseName())
                .withLock(new LeaseLock(config.namespace(), config.leaseName(), identity))
                .withLeaseDuration(config.leaseDuration())
                .withRenewDeadline(config.renewDeadline())
                .withRetryPeriod(config.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading,
                        leader -> LOG.infof("lease %s is held by %s", config.leaseName(), leader)))
                .build()).build().start();
        // The elector gives up once leadership is lost (or at once, e.g. when Leases are forbidden);
        // stand for election again after a pause, never in a tight loop. The pause is scheduled, not
        // slept: this callback runs on the elector's thread.
        election.whenComplete((ignored, error) -> {
            if (error != null && !(error instanceof CancellationException)) {
                LOG.warnf("leader election for %s failed: %s", config.leaseName(), error.getMessage());
            }
            if (!shuttingDown) {
                CompletableFuture.runAsync(this::campaign, CompletableFuture.delayedExecutor(
                        recampaign.delay(0).toMillis(), TimeUnit.MILLISECONDS));
            }
        });
    }

    private void startLeading() {
        LOG.infof("%s leads: starting the informers and the cleaner", identity);
        leading.set(true);
        informer.start();
        podCertificates.start();
        cleaner.start();
    }

    private void stopLeading() {
        if (leading.getAndSet(false)) {
            LOG.infof("%s stopped leading: stopping the informers and the cleaner", identity);
            cleaner.stop();
            informer.stop();
            podCertificates.stop();
            publisher.clear();
        }
    }

    private static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "csr-watcher";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
