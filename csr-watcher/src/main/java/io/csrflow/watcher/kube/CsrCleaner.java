package io.csrflow.watcher.kube;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.events.CsrDeletionReason;
import io.csrflow.service.CsrLogContext;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.watcher.WatcherConfig;
import io.csrflow.watcher.domain.CleanupRules;
import io.csrflow.watcher.messaging.ObservedPublisher;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Garbage-collects CSRs as kube-controller-manager's csrcleaner does, while this replica leads:
 * every interval it judges each CSR in the informer's cache by {@link CleanupRules} and deletes
 * those that are garbage. Each delete carries preconditions on the uid and resourceVersion it
 * judged, so a CSR that changed since, or was created again under the same name, is left for the
 * next pass to judge (the API answers 409). The informer then sees the deletion, and
 * {@link CleanerDeletions} gives the Deleted snapshot its reason.
 */
@Startup
@ApplicationScoped
public class CsrCleaner {
    private static final Logger LOG = Logger.getLogger(CsrCleaner.class);
    /** How soon to look again while the informer has not listed every CSR yet. */
    private static final Duration UNTIL_SYNCED = Duration.ofSeconds(1);

    private final CsrDeletes csrs;
    private final CsrInformer informer;
    private final CleanerDeletions deletions;
    private final ObservedPublisher publisher;
    private final WatcherConfig.Cleaner config;
    private final CleanupRules rules;
    private final MeterRegistry registry;
    private final Counter errors;
    private final Counter passes;
    /** When the last pass that looked at every CSR ended, in epoch seconds (0: none yet). */
    private final AtomicLong lastPassEnded = new AtomicLong();
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private ScheduledFuture<?> next;
    /** Counts start()s, so that a pass of an earlier term neither goes on nor schedules another. */
    private volatile long term;
    private volatile boolean active;

    CsrCleaner(KubernetesClient client, CsrInformer informer, CleanerDeletions deletions, ObservedPublisher publisher,
            WatcherConfig config, MeterRegistry registry, Clock clock) {
        this.csrs = new CsrDeletes(client);
        this.informer = informer;
        this.deletions = deletions;
        this.publisher = publisher;
        this.config = config.watcher().cleaner();
        if (this.config.interval().isNegative() || this.config.interval().isZero()) {
            throw new IllegalArgumentException("csrflow.watcher.cleaner.interval must be positive, got "
                    + this.config.interval());
        }
        this.rules = new CleanupRules(new CleanupRules.Ages(this.config.issuedMaxAge(), this.config.deniedMaxAge(),
                this.config.failedMaxAge(), this.config.pendingMaxAge()));
        this.registry = registry;
        this.clock = clock;
        this.errors = Counter.builder("csrflow.watcher.cleaner.errors")
                .description("CSR deletions by the cleaner that failed (tried again next pass)").register(registry);
        this.passes = Counter.builder("csrflow.watcher.cleaner.passes")
                .description("passes of the cleaner that looked at every CSR (only the leader makes them)")
                .register(registry);
        Gauge.builder("csrflow.watcher.cleaner.last.pass", lastPassEnded, AtomicLong::get)
                .description("when the cleaner's last complete pass ended, in seconds since the epoch (0: none yet)")
                .baseUnit("seconds").register(registry);
        for (CsrDeletionReason reason : CsrDeletionReason.values()) {
            if (reason != CsrDeletionReason.UNKNOWN) {
                deletedCounter(reason);
            }
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "csr-cleaner");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts cleaning (this replica leads): a first pass once the informer has synced, then every interval. */
    public synchronized void start() {
        if (!config.enabled() || active) {
            return;
        }
        LOG.infof("cleaning CSRs every %s (issued %s after approval, denied %s, failed %s, pending %s)",
                config.interval(), config.issuedMaxAge(), config.deniedMaxAge(), config.failedMaxAge(),
                config.pendingMaxAge());
        active = true;
        schedule(++term, Duration.ZERO);
    }

    /** Stops cleaning (leadership lost); a pass under way stops before its next CSR. */
    public synchronized void stop() {
        active = false;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        deletions.clear();
    }

    private synchronized void schedule(long ofTerm, Duration delay) {
        if (current(ofTerm)) {
            next = executor.schedule(() -> run(ofTerm), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private boolean current(long ofTerm) {
        return active && term == ofTerm;
    }

    private void run(long ofTerm) {
        Duration delay = config.interval();
        try {
            if (informer.synced()) {
                pass(ofTerm);
            } else {
                delay = UNTIL_SYNCED.compareTo(delay) < 0 ? UNTIL_SYNCED : delay;
            }
        } catch (RuntimeException e) {
            errors.increment();
            LOG.errorf(e, "CSR cleaner pass failed; the next one is in %s", delay);
        }
        schedule(ofTerm, delay);
    }

    /** One look at every CSR in the informer's cache. */
    private void pass(long ofTerm) {
        deletions.startPass();
        Instant now = clock.instant();
        for (CertificateSigningRequest csr : informer.cached()) {
            if (!current(ofTerm)) {
                return;
            }
            // A CSR waits until the very state judged here is on csr.observed: deleting it first would
            // replace that state in the outbox (Kafka away), and consumers (the scheduler) would never
            // see the certificate it was issued. The cache is updated before the informer's handler
            // offers the state to the publisher, so "nothing unsent for this CSR" is not enough.
            ObjectMeta meta = csr.getMetadata();
            if (!publisher.acknowledged(meta.getName(), meta.getResourceVersion())) {
                continue;
            }
            // The snapshot is a copy: the cached object is only read.
            Optional<CsrDeletionReason> reason = rules.reasonToDelete(CsrSnapshots.of(csr, false, now), now);
            if (reason.isPresent() && deletions.claim(meta.getUid(), reason.get())) {
                boolean goOn = CsrLogContext.call(meta.getName(), () -> delete(csr, reason.get()));
                if (!goOn) {
                    return;
                }
            }
        }
        passes.increment();
        lastPassEnded.set(clock.instant().getEpochSecond());
    }

    /** Deletes one CSR the rules call garbage; false if the pass should stop (the API is not there for it). */
    private boolean delete(CertificateSigningRequest csr, CsrDeletionReason reason) {
        ObjectMeta meta = csr.getMetadata();
        CsrDeletes.Result result = csrs.deleteIfUnchanged(meta.getName(), meta.getUid(), meta.getResourceVersion());
        if (result.outcome() == CsrDeletes.Outcome.DELETED) {
            deletedCounter(reason).increment();
            LOG.infof("deleted CSR %s (%s)", meta.getName(), reason.wireName());
            return true;
        }
        deletions.release(meta.getUid());
        switch (result.outcome()) {
            case CHANGED -> LOG.debugf("CSR %s changed since it was judged; the next pass judges it again",
                    meta.getName());
            case GONE -> LOG.debugf("CSR %s was deleted by someone else", meta.getName());
            case REFUSED -> {
                errors.increment();
                LOG.warnf("the API refused to delete CSR %s: %s", meta.getName(), result.detail());
            }
            case FORBIDDEN -> {
                errors.increment();
                LOG.errorf("the watcher may not delete CSRs (%s): grant its ServiceAccount delete on "
                        + "certificates.k8s.io certificatesigningrequests, or set csrflow.watcher.cleaner.enabled=false",
                        result.detail());
                return false;
            }
            default -> {
                errors.increment();
                LOG.warnf("deleting CSR %s failed (%s); this pass stops, the next is in %s", meta.getName(),
                        result.detail(), config.interval());
                return false;
            }
        }
        return true;
    }

    private Counter deletedCounter(CsrDeletionReason reason) {
        return Counter.builder("csrflow.watcher.cleaner.deleted").tag("reason", reason.wireName())
                .description("CSRs the cleaner deleted, by the rule that made them garbage").register(registry);
    }

    @PreDestroy
    void shutdown() {
        stop();
        executor.shutdownNow();
    }
}
