package io.csrflow.watcher.messaging;

import java.util.function.Function;
import java.util.function.Predicate;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;

/**
 * What differs between the kinds of snapshot the watcher publishes; everything else about getting
 * them to Kafka is {@link SnapshotSender}'s.
 *
 * @param type    the event type (its key is the outbox's key: one slot per object)
 * @param topic   where the events go
 * @param name    for logs and the sender thread: {@code csr.observed}
 * @param metrics prefix of the meters: {@code <metrics>.events.published{phase}},
 *                {@code <metrics>.publish.failures}, {@code <metrics>.events.dropped{reason}},
 *                {@code <metrics>.pending.backlog}
 * @param span    name of the span of one observation, the phase appended
 * @param uid     the object's uid, which names its trace
 * @param resourceVersion the object's resourceVersion in a snapshot
 * @param deleted whether a snapshot is the object's last state
 */
record SnapshotKind<T>(EventType<T> type, String topic, String name, String metrics, String span,
        Function<T, String> uid, Function<T, String> resourceVersion, Predicate<T> deleted) {

    /** The snapshot's phase as on the wire (and in its {@code ce_phase} header). */
    String phase(T snapshot) {
        return type.phaseOf(snapshot);
    }

    /** CSRs: the meter and span names csrflow had before pod certificates, so dashboards stay as they are. */
    static SnapshotKind<CsrObserved> csrs(String topic) {
        return new SnapshotKind<>(EventType.CSR_OBSERVED, topic, "csr.observed", "csrflow.watcher",
                "csr-watcher observe ", CsrObserved::uid, CsrObserved::resourceVersion,
                snapshot -> snapshot.phase() == CsrPhase.DELETED);
    }

    static SnapshotKind<PodCertificateObserved> podCertificates(String topic) {
        return new SnapshotKind<>(EventType.POD_CERTIFICATE_OBSERVED, topic, "pcr.observed", "csrflow.watcher.pcr",
                "csr-watcher observe pcr ", PodCertificateObserved::uid, PodCertificateObserved::resourceVersion,
                snapshot -> snapshot.phase() == PodCertificatePhase.DELETED);
    }
}
