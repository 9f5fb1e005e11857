package io.csrflow.scheduler.streams;

import static io.csrflow.scheduler.streams.TestCertificates.CLIENT;
import static io.csrflow.scheduler.streams.TestCertificates.CLIENT_BUNDLE_FILE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.pki.SignerNames;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;

/**
 * With a trust bundle configured the scheduler fails closed: a certificate of csrflow's signers is
 * believed only when the bundle shows it genuine. While the bundle is missing or empty nothing of
 * those signers is believed, and nothing is thrown away either: the scheduler is not ready and waits,
 * then carries on without a restart once the bundle is there. A signer of csrflow's without a file
 * in a readable bundle is not believed; a signer csrflow does not know is tracked as the API said.
 */
class TrustBundleTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration LIFETIME = Duration.ofDays(10);
    /** Long enough for several ticks, polls and commits, so that "nothing happened" means something. */
    static final Duration QUIET = Duration.ofMillis(2500);

    private SchedulerHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void whileTheBundleIsMissingNothingIsBelievedOrLostAndOnceItAppearsOnlyTheGenuineCertificateIsTracked()
            throws IOException {
        Path bundle = Files.createTempDirectory("trust-mount").resolve("csrflow-ca-bundles");
        harness = new SchedulerHarness(T0, 3, bundle);
        SchedulerStreams scheduler = harness.startNoWait(NodeDirectory.NONE);
        awaitNotReadyNaming(scheduler, bundle + " does not exist");

        // A forger's "newer" certificate for worker-1 ahead of the genuine one: if believed, it
        // would displace the genuine certificate and cancel its renewal.
        CertIssued forged = TestCertificates.issued(CLIENT, TestCertificates.forged("system:node:worker-1", "0200",
                T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(11))), "csr-forged", T0.plus(Duration.ofDays(1)));
        CertIssued genuine = TestCertificates.issued(CLIENT, TestCertificates.certificate("system:node:worker-1",
                "0100", T0, T0.plus(LIFETIME)), "csr-genuine", T0);
        String topic = harness.settings.topics().issued();
        harness.send(EventType.CERT_ISSUED, topic, forged);
        harness.send(EventType.CERT_ISSUED, topic, genuine);

        try (var deadLetters = new RawTopic(harness.bootstrap, harness.settings.topics().deadLetter())) {
            assertEquals(List.of(), deadLetters.after(QUIET), "nothing may be rejected while it cannot be checked");
            assertFalse(scheduler.status().running(), "ready although the trust bundle is missing");
            assertTrue(tracked(scheduler, genuine.identity()).isEmpty(),
                    "a certificate was tracked although the trust bundle is missing");

            TestCertificates.writeTrustBundle(bundle);
            await().atMost(Duration.ofSeconds(60)).until(() -> scheduler.status().running());

            // Both records were waiting, not lost: the genuine one is tracked, the forged one rejected.
            assertEquals("100", awaitTracked(scheduler, genuine.identity()).serial());
            ConsumerRecord<String, byte[]> rejected = deadLetters.atLeast(1).get(0);
            assertEquals(genuine.identity().key(), rejected.key());
            String reason = header(rejected, DeadLetters.REASON_HEADER);
            assertTrue(reason.startsWith("certificate 200 of " + CLIENT)
                    && reason.contains("is not signed by a CA in the trust bundle"), reason);
            assertEquals(1, deadLetters.after(QUIET).size());
        }
    }

    @Test
    void aBundleThatGoesAwayStopsTheSchedulerBelievingAnythingUntilItIsBack() throws IOException {
        Path bundle = TestCertificates.trustBundle();
        harness = new SchedulerHarness(T0, 3, bundle);
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        CertIssued genuine = TestCertificates.issued(CLIENT, TestCertificates.certificate("system:node:worker-2",
                "0100", T0, T0.plus(LIFETIME)), "csr-genuine", T0);
        String topic = harness.settings.topics().issued();
        harness.send(EventType.CERT_ISSUED, topic, genuine);
        assertEquals("100", awaitTracked(scheduler, genuine.identity()).serial());

        // The ConfigMap is emptied (or deleted: the optional volume then shows an empty directory).
        Files.delete(bundle.resolve(CLIENT_BUNDLE_FILE));
        awaitNotReadyNaming(scheduler, bundle + " holds no readable CA certificate");

        CertIssued forged = TestCertificates.issued(CLIENT, TestCertificates.forged("system:node:worker-2", "0200",
                T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(11))), "csr-forged", T0.plus(Duration.ofDays(1)));
        harness.send(EventType.CERT_ISSUED, topic, forged);
        try (var deadLetters = new RawTopic(harness.bootstrap, harness.settings.topics().deadLetter())) {
            assertEquals(List.of(), deadLetters.after(QUIET), "nothing may be rejected while it cannot be checked");
            assertFalse(scheduler.status().running(), "ready although the trust bundle is gone");

            TestCertificates.writeTrustBundle(bundle);
            await().atMost(Duration.ofSeconds(60)).until(() -> scheduler.status().running());
            String reason = header(deadLetters.atLeast(1).get(0), DeadLetters.REASON_HEADER);
            assertTrue(reason.startsWith("certificate 200 of " + CLIENT), reason);
            assertEquals("100", awaitTracked(scheduler, genuine.identity()).serial());
            assertEquals(1, deadLetters.after(QUIET).size());
        }
    }

    @Test
    void aSignerOfCsrflowsWithoutAFileInTheBundleIsNotBelievedButAnUnknownSignerIsTrackedAsRead() {
        harness = new SchedulerHarness(T0, 3, TestCertificates.trustBundle()); // the client kubelet file only
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        var topics = harness.settings.topics();
        // Signed by the test CA, but the bundle has no file saying that CA is the serving signer's.
        X509Certificate serving = TestCertificates.certificate("system:node:worker-3", "03", T0, T0.plus(LIFETIME));
        CertIssued servingIssued = TestCertificates.issued(SignerNames.KUBELET_SERVING, serving, "csr-w3", T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), servingIssued);
        X509Certificate user = TestCertificates.certificate("jane", "04", T0, T0.plus(LIFETIME));
        harness.send(EventType.CSR_OBSERVED, topics.observed(),
                TestCertificates.observedIssued(SignerNames.APISERVER_CLIENT, "csr-jane", user, T0));
        // A signer csrflow neither signs for nor has a file of (an external signer's): as read from the API.
        X509Certificate external = TestCertificates.certificate("system:node:worker-5", "05", T0, T0.plus(LIFETIME));
        harness.send(EventType.CSR_OBSERVED, topics.observed(),
                TestCertificates.observedIssued("example.com/foo", "csr-w5", external, T0));

        assertEquals("5", awaitTracked(scheduler, new Identity("example.com/foo", "system:node:worker-5")).serial());
        try (var deadLetters = new RawTopic(harness.bootstrap, topics.deadLetter())) {
            List<String> reasons = deadLetters.atLeast(2).stream().map(r -> header(r, DeadLetters.REASON_HEADER))
                    .sorted().toList();
            assertTrue(reasons.get(0).startsWith("certificate 3 of " + SignerNames.KUBELET_SERVING)
                    && reasons.get(0).contains("no kubelet-serving.crt"), reasons.get(0));
            assertTrue(reasons.get(1).startsWith("certificate 4 of " + SignerNames.APISERVER_CLIENT)
                    && reasons.get(1).contains("no kube-apiserver-client.crt"), reasons.get(1));
        }
        assertTrue(tracked(scheduler, servingIssued.identity()).isEmpty());
        assertTrue(tracked(scheduler, new Identity(SignerNames.APISERVER_CLIENT, "jane")).isEmpty());
    }

    private static void awaitNotReadyNaming(SchedulerStreams scheduler, String problem) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            SchedulerStreams.Status status = scheduler.status();
            assertFalse(status.running(), "ready although the trust bundle is unusable");
            assertTrue(String.valueOf(status.detail()).contains(problem),
                    "status " + status + " does not name the problem '" + problem + "'");
        });
    }

    private static TrackedCertificate awaitTracked(SchedulerStreams scheduler, Identity identity) {
        await().atMost(Duration.ofSeconds(30)).until(() -> tracked(scheduler, identity).isPresent());
        return tracked(scheduler, identity).orElseThrow();
    }

    /** What this replica answers for the identity; nothing while its inventory cannot be read (HTTP 503). */
    private static Optional<TrackedCertificate> tracked(SchedulerStreams scheduler, Identity identity) {
        if (scheduler.streams() == null || scheduler.streams().state() != KafkaStreams.State.RUNNING) {
            return Optional.empty();
        }
        return scheduler.localInventory().get(identity.key());
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
