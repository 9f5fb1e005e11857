package io.csrflow.scheduler.streams;

import static io.csrflow.scheduler.streams.TestCertificates.CLIENT;
import static io.csrflow.scheduler.streams.TestCertificates.certificate;
import static io.csrflow.scheduler.streams.TestCertificates.issued;
import static io.csrflow.scheduler.streams.TestCertificates.observedIssued;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.RenewalDue;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.query.LocalInventory;
import io.csrflow.testsupport.EventProbe;

/**
 * The watcher's cleaner deletes an Issued CSR an hour after its approval, long before its
 * certificate is due for renewal. The certificate is still valid and its Node still there: the
 * scheduler keeps tracking it and sends its renewal notice at the deadline, whether the certificate
 * came from this signer (cert.issued) or only from csr.observed.
 */
class CleanedCsrTest {
    static final Instant T0 = Instant.parse("2026-07-01T00:00:00Z");
    static final Duration LIFETIME = Duration.ofDays(10);
    static final String OTHER_SIGNER = "example.com/node-client";

    private final SchedulerHarness harness = new SchedulerHarness(T0, 3);
    /** Every Node is there and the directory has synced: the node sweep runs, and keeps what it finds. */
    private final SchedulerStreams scheduler = harness.start(nodes("worker-c1", "worker-c2", "worker-c3"));
    private final EventProbe<RenewalDue> renewals = harness.renewals();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aCertificateWhoseCsrWasCleanedIsStillTrackedAndRenewedAtItsDeadline() {
        var topics = harness.settings.topics();
        // Ours: announced on cert.issued, and seen on csr.observed while its CSR lived.
        X509Certificate ours = certificate("system:node:worker-c1", "c1", T0, T0.plus(LIFETIME));
        CertIssued announced = issued(CLIENT, ours, "csr-c1", T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), announced);
        harness.send(EventType.CSR_OBSERVED, topics.observed(), observedIssued(CLIENT, "csr-c1", ours, T0));
        // Another signer's: known only from csr.observed.
        X509Certificate theirs = certificate("system:node:worker-c2", "c2", T0, T0.plus(LIFETIME));
        harness.send(EventType.CSR_OBSERVED, topics.observed(), observedIssued(OTHER_SIGNER, "csr-c2", theirs, T0));
        String oursKey = announced.identity().key();
        String theirsKey = new Identity(OTHER_SIGNER, "system:node:worker-c2").key();
        awaitTracked(oursKey);
        awaitTracked(theirsKey);

        // An hour after approval the cleaner deletes both CSRs; the watcher publishes their last state.
        harness.clock.set(T0.plus(Duration.ofHours(1)).plusSeconds(1));
        Instant cleanedAt = harness.clock.instant();
        harness.send(EventType.CSR_OBSERVED, topics.observed(), cleaned(observedIssued(CLIENT, "csr-c1", ours, T0),
                cleanedAt));
        harness.send(EventType.CSR_OBSERVED, topics.observed(), cleaned(observedIssued(OTHER_SIGNER, "csr-c2", theirs,
                T0), cleanedAt));
        // A new CSR under csr-c2's name, for another node: once its certificate is tracked, the
        // deletion before it on the same partition has been read.
        X509Certificate next = certificate("system:node:worker-c3", "c3", T0.plus(Duration.ofDays(1)),
                T0.plus(Duration.ofDays(30)));
        harness.send(EventType.CSR_OBSERVED, topics.observed(), observedIssued(OTHER_SIGNER, "csr-c2", next,
                cleanedAt));
        awaitTracked(new Identity(OTHER_SIGNER, "system:node:worker-c3").key());

        assertEquals("c1", inventory().get(oursKey).orElseThrow().serial(), "still tracked after its CSR went");
        assertEquals("c2", inventory().get(theirsKey).orElseThrow().serial(), "still tracked after its CSR went");
        assertEquals("csr-c2", inventory().get(theirsKey).orElseThrow().csrName());

        // Days later, past the node sweep's grace, at the deadlines: each certificate gets its notice.
        Instant deadline = later(inventory().get(oursKey).orElseThrow().deadline(),
                inventory().get(theirsKey).orElseThrow().deadline());
        harness.clock.set(deadline);
        await().atMost(Duration.ofSeconds(20)).until(() -> renewals.received().size() >= 2);
        List<RenewalDue> notices = renewals.received().stream().map(EventProbe.Received::data).toList();
        assertEquals(List.of("c1", "c2"), notices.stream().map(RenewalDue::serial).sorted().toList());
        notices.forEach(n -> assertEquals(RenewalReason.DUE, n.reason()));
        assertEquals(Set.of("worker-c1", "worker-c2"), Set.copyOf(notices.stream().map(RenewalDue::nodeName).toList()));
    }

    /** The Deleted snapshot the watcher publishes when its cleaner removes the CSR. */
    private static CsrObserved cleaned(CsrObserved issued, Instant at) {
        return new CsrObserved(issued.name(), issued.uid(), "8", issued.signerName(), issued.request(),
                issued.usages(), issued.expirationSeconds(), issued.requester(), issued.conditions(),
                issued.certificate(), CsrPhase.DELETED, issued.createdAt(), at)
                .withDeletedBecause(CsrDeletionReason.ISSUED_PAST_DEADLINE);
    }

    private static NodeDirectory nodes(String... names) {
        Set<String> present = Set.of(names);
        return new NodeDirectory() {
            @Override
            public boolean synced() {
                return true;
            }

            @Override
            public boolean exists(String nodeName) {
                return present.contains(nodeName);
            }

            @Override
            public List<NodeDeletion> deletionsAfter(long sequence) {
                return List.of();
            }
        };
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private LocalInventory inventory() {
        return scheduler.localInventory();
    }

    private TrackedCertificate awaitTracked(String identity) {
        await().atMost(Duration.ofSeconds(20)).until(() -> inventory().get(identity).isPresent());
        return inventory().get(identity).orElseThrow();
    }
}
