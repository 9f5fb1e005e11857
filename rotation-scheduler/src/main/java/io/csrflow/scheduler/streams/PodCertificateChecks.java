package io.csrflow.scheduler.streams;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import org.jboss.logging.Logger;

import io.csrflow.scheduler.inventory.OverduePlan;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.pods.PodDirectory;

/**
 * The transition "pod certificate overdue" of one task. The kubelet refreshes a pod's certificate on
 * its own, so no notice is sent: a pod certificate still the newest of its identity
 * {@code overdue-margin} after its {@code beginRefreshAt} is looked up (its pod, by name and UID). A
 * pod that is gone, replaced by another of the same name, finished or being deleted will never
 * refresh it: the certificate leaves the inventory, as a deleted Node's do. A pod still there makes it
 * overdue (one log line, the first time) and is looked at again later ({@link OverduePlan}). No answer
 * from the API changes nothing: the certificate is looked at again after {@link #RETRY}.
 *
 * <p>Lookups are requests the tick waits for, inside the task's Kafka transaction (which the broker
 * aborts after {@code transaction.timeout.ms}, 10 s under exactly-once), so one tick makes at most
 * {@code checks-per-tick} of them, none after {@link #LOOKUP_TIME} has gone by, and none after one has
 * failed: the rest wait for the next tick, or for the retry.
 */
final class PodCertificateChecks {
    private static final Logger LOG = Logger.getLogger(PodCertificateChecks.class);
    /** How long the certificates whose pods could not be looked up wait before they are tried again. */
    static final Duration RETRY = Duration.ofMinutes(1);
    /** The wall-clock time one tick spends on lookups, at most (plus the one under way). */
    static final Duration LOOKUP_TIME = Duration.ofSeconds(2);

    private final SchedulerSettings settings;
    private final InventoryStores stores;
    private final PodDirectory pods;
    private final SchedulerMeters meters;
    private int lookupsLeft;
    private long tickStartedNanos;
    private boolean apiFailed;

    PodCertificateChecks(SchedulerSettings settings, InventoryStores stores, PodDirectory pods,
            SchedulerMeters meters) {
        this.settings = settings;
        this.stores = stores;
        this.pods = pods;
        this.meters = meters;
    }

    /** A new tick: a new budget of lookups, and the API gets another chance. */
    void startTick() {
        lookupsLeft = settings.podChecksPerTick();
        tickStartedNanos = System.nanoTime();
        apiFailed = false;
    }

    /** Acts on a pod certificate whose time has come, taken off the due index at {@code now}. */
    void check(TrackedCertificate tracked, Instant now) {
        OverduePlan plan = settings.overdue();
        if (plan.forgotten(tracked, now)) {
            stores.forget(tracked);
            meters.removed("expired-retention");
            return;
        }
        if (apiFailed) {
            stores.store(tracked.nextAt(now.plus(RETRY)));
            return;
        }
        if (lookupsLeft == 0 || System.nanoTime() - tickStartedNanos > LOOKUP_TIME.toNanos()) {
            stores.keepDue(tracked);
            return;
        }
        lookupsLeft--;
        String namespace = tracked.identity().namespace();
        String podName = tracked.identity().commonName();
        PodDirectory.Answer answer = pods.lookup(namespace, podName, tracked.pod().podUid());
        meters.podLookup(answer.presence().name().toLowerCase(Locale.ROOT));
        switch (answer.presence()) {
            case PRESENT -> {
                Instant since = tracked.overdueSince() == null ? now : tracked.overdueSince();
                stores.store(tracked.overdue(since, plan.nextCheck(tracked, since, now)));
                if (tracked.overdueSince() == null) {
                    LOG.warnf("pod certificate overdue: pod %s/%s (uid %s) on node %s, ServiceAccount %s, signer %s, "
                            + "serial %s: the kubelet was to refresh it at %s, %s ago, and no newer certificate has "
                            + "come (request %s; NotAfter %s)", namespace, podName, tracked.pod().podUid(),
                            tracked.pod().nodeName(), tracked.identity().serviceAccount(),
                            tracked.identity().signerName(), tracked.serial(), tracked.pod().beginRefreshAt(),
                            readable(OverduePlan.lateness(tracked, now)), tracked.pod().requestName(),
                            tracked.notAfter());
                }
            }
            case GONE, REPLACED, FINISHED -> {
                stores.forget(tracked);
                meters.removed("pod-" + answer.presence().name().toLowerCase(Locale.ROOT));
                LOG.infof("pod %s/%s (uid %s) on node %s will not refresh its certificate (%s: %s): signer %s, "
                        + "serial %s no longer tracked", namespace, podName, tracked.pod().podUid(),
                        tracked.pod().nodeName(), answer.presence().name().toLowerCase(Locale.ROOT), answer.detail(),
                        tracked.identity().signerName(), tracked.serial());
            }
            case UNKNOWN -> {
                apiFailed = true;
                stores.store(tracked.nextAt(now.plus(RETRY)));
                LOG.warnf("cannot look up pod %s/%s for its overdue certificate: %s; the pods of overdue "
                        + "certificates due in this tick are looked up again in %s", namespace, podName,
                        answer.detail(), readable(RETRY));
            }
        }
    }

    /** 1h2m3s, as kubectl writes durations; whole seconds. */
    static String readable(Duration d) {
        Duration s = d.truncatedTo(ChronoUnit.SECONDS);
        StringBuilder b = new StringBuilder();
        if (s.isNegative()) {
            b.append('-');
            s = s.negated();
        }
        if (s.toHours() > 0) {
            b.append(s.toHours()).append('h');
        }
        if (s.toMinutesPart() > 0) {
            b.append(s.toMinutesPart()).append('m');
        }
        if (s.toSecondsPart() > 0 || s.toHours() == 0 && s.toMinutesPart() == 0) {
            b.append(s.toSecondsPart()).append('s');
        }
        return b.toString();
    }
}
