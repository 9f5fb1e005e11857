package io.csrflow.watcher;

import static io.csrflow.watcher.WatcherTestSupport.approve;
import static io.csrflow.watcher.WatcherTestSupport.certificate;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.exists;
import static io.csrflow.watcher.WatcherTestSupport.issue;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKafkaProcess;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaProcess;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A CSR issued while Kafka is away is not cleaned before its Issued state is on csr.observed:
 * deleting it would replace that state in the outbox, and the scheduler would never learn of the
 * certificate (an issued CSR may be past its age at once: the age counts from the approval).
 */
@QuarkusTest
@TestProfile(CleanerKafkaOutageTest.OwnBrokerQuickCleaner.class)
class CleanerKafkaOutageTest {
    /** A broker this class may stop, a pass every second, issued CSRs garbage a second after approval. */
    public static class OwnBrokerQuickCleaner extends KafkaOutageTest.OwnBroker {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csrflow.watcher.cleaner.interval", "1s", "csrflow.watcher.cleaner.issued-max-age", "1s");
        }
    }

    @InjectKafkaProcess
    KafkaProcess broker;

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void aCsrIssuedWhileKafkaIsAwayIsDeletedOnlyAfterItsIssuedStateIsPublished() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> probe = EventProbe.onDefaultTopic(broker.bootstrapServers(),
                     EventType.CSR_OBSERVED)) {
            createKubeletCsr(admin, "outage-issued", "worker-o");
            CertificateSigningRequest approved = approve(admin, "outage-issued");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    phasesOf(probe, "outage-issued").contains(CsrPhase.APPROVED));

            broker.stop();
            Instant now = Instant.now();
            issue(admin, approved, certificate(now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1))));
            // Several passes, each finding the CSR past its age but its Issued state not yet on the topic.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> exists(admin, "outage-issued"));

            broker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> !exists(admin, "outage-issued")
                    && latest(probe, "outage-issued") != null
                    && latest(probe, "outage-issued").phase() == CsrPhase.DELETED);
            List<CsrPhase> phases = phasesOf(probe, "outage-issued");
            assertTrue(phases.contains(CsrPhase.ISSUED), "the Issued state reached the topic: " + phases);
            assertEquals(CsrPhase.DELETED, phases.get(phases.size() - 1), phases.toString());
            assertEquals(CsrDeletionReason.ISSUED_PAST_DEADLINE, latest(probe, "outage-issued").deletedBecause());
        }
    }
}
