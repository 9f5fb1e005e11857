package io.csrflow.scheduler.streams;

import io.csrflow.scheduler.inventory.CertificateTrust;

import java.time.Duration;

import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.inventory.OverduePlan;

/**
 * Everything the topology needs to know, as plain values, so that the same topology runs inside
 * the Quarkus service and in tests and benchmarks that start several instances.
 *
 * @param tick             how often each task looks at its deadline index
 * @param maxNoticesPerTick bound on one tick's work, so that a backlog (after an outage) is sent in
 *                         slices and one transaction never grows without limit
 * @param nodeGrace        how long a certificate may exist without its Node (a kubelet's client
 *                         certificate comes before its Node registers)
 * @param sweepBatch       node-index entries each task checks per tick for Nodes deleted while no
 *                         replica was watching
 * @param trust            which certificates in events are believed (signed by their signer's CA)
 * @param overdue          when a pod certificate is overdue and its pod looked at again
 * @param podChecksPerTick bound on the pod lookups (one API request each) one tick of one task makes:
 *                         the tick waits for their answers, and must stay short
 */
public record SchedulerSettings(
        Topics topics,
        String eventSource,
        DeadlinePolicy deadlines,
        NoticePlan notices,
        Duration tick,
        int maxNoticesPerTick,
        Duration nodeGrace,
        int sweepBatch,
        CertificateTrust trust,
        OverduePlan overdue,
        int podChecksPerTick) {

    public SchedulerSettings {
        if (podChecksPerTick < 1) {
            throw new IllegalArgumentException("csrflow.scheduler.pod-certificates.checks-per-tick must be at least 1, "
                    + "got " + podChecksPerTick);
        }
    }

    /**
     * Topic names: the three the scheduler reads ({@code podCertificates}: {@code pcr.observed}), the one
     * it writes, and its dead-letter topic.
     */
    public record Topics(String issued, String observed, String podCertificates, String renewalDue,
            String deadLetter) {
    }

    /** How long a certificate counts as DUE before it is OVERDUE: until the first reminder. */
    public Duration overdueAfter() {
        return notices.firstReminder();
    }
}
