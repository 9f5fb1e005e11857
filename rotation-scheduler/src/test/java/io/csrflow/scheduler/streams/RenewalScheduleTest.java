package io.csrflow.scheduler.streams;

import static io.csrflow.scheduler.streams.TestCertificates.CLIENT;
import static io.csrflow.scheduler.streams.TestCertificates.certificate;
import static io.csrflow.scheduler.streams.TestCertificates.issued;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.RenewalDue;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.DeadlinePolicy;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.query.LocalInventory;
import io.csrflow.testsupport.EventProbe;

/**
 * The schedule as consumers of cert.renewal-due see it, on a real broker with a clock the test
 * moves: first notice at the deadline, reminders with backoff, one EXPIRED, replacement and
 * duplicates, certificates from csr.observed, and bad records.
 */
class RenewalScheduleTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration LIFETIME = Duration.ofDays(10);
    /** Long enough for several ticks (100 ms) and commits to pass, so that "nothing came" means something. */
    static final Duration QUIET = Duration.ofMillis(1500);

    private final SchedulerHarness harness = new SchedulerHarness(T0, 3);
    private final SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
    private final EventProbe<RenewalDue> renewals = harness.renewals();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void firstNoticeAtTheDeadlineThenRemindersWithBackoffThenOneExpired() {
        CertIssued cert = issued("worker-1", "a1b2c3", T0, T0.plus(LIFETIME), T0);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), cert);
        TrackedCertificate tracked = awaitTracked(cert.identity().key());
        Instant deadline = new DeadlinePolicy.KubeletJitter().deadline("a1b2c3", T0, T0.plus(LIFETIME));
        assertEquals(deadline, tracked.deadline());

        harness.clock.set(deadline.minusSeconds(1));
        assertNothingFor(QUIET);

        harness.clock.set(deadline);
        RenewalDue due = awaitNotices(1).get(0);
        assertEquals(new Identity(CLIENT, "system:node:worker-1"), due.identity());
        assertEquals("worker-1", due.nodeName());
        assertEquals("a1b2c3", due.serial());
        assertEquals(T0, due.notBefore());
        assertEquals(T0.plus(LIFETIME), due.notAfter());
        assertEquals(deadline, due.deadline());
        assertEquals(RenewalReason.DUE, due.reason());
        assertEquals(1, due.notice());

        harness.clock.advance(Duration.ofMinutes(59));
        assertNothingFor(QUIET);
        harness.clock.advance(Duration.ofMinutes(1));
        assertEquals(RenewalReason.OVERDUE, awaitNotices(2).get(1).reason());

        // The second reminder waits twice as long as the first.
        harness.clock.advance(Duration.ofMinutes(119));
        assertNothingFor(QUIET);
        harness.clock.advance(Duration.ofMinutes(1));
        RenewalDue reminder = awaitNotices(3).get(2);
        assertEquals(RenewalReason.OVERDUE, reminder.reason());
        assertEquals(3, reminder.notice());

        harness.clock.set(T0.plus(LIFETIME));
        RenewalDue expired = awaitNotices(4).get(3);
        assertEquals(RenewalReason.EXPIRED, expired.reason());
        assertEquals(4, expired.notice());

        harness.clock.advance(Duration.ofHours(12));
        assertNothingFor(QUIET);
        assertEquals(4, renewals.received().size());

        // After the retention period the expired certificate is forgotten, silently.
        harness.clock.advance(SchedulerHarness.RETENTION);
        await().atMost(Duration.ofSeconds(20)).until(() -> inventory().get(cert.identity().key()).isEmpty());
        assertEquals(4, renewals.received().size());
    }

    @Test
    void aNewerCertificateReplacesTheOldOneAndCancelsItsRenewal() {
        CertIssued old = issued("worker-2", "0100", T0, T0.plus(LIFETIME), T0);
        CertIssued newer = issued("worker-2", "0200", T0.plus(Duration.ofDays(5)), T0.plus(Duration.ofDays(15)),
                T0.plus(Duration.ofDays(5)));
        String topic = harness.settings.topics().issued();
        harness.send(EventType.CERT_ISSUED, topic, old);
        harness.send(EventType.CERT_ISSUED, topic, newer);
        // The old certificate again, late (a replay): it must not take the identity back.
        harness.send(EventType.CERT_ISSUED, topic, old);
        await().atMost(Duration.ofSeconds(20)).until(() -> "200".equals(
                inventory().get(old.identity().key()).map(TrackedCertificate::serial).orElse(null)));

        harness.clock.set(T0.plus(Duration.ofDays(9)).plusSeconds(1)); // past any deadline of the old one
        assertNothingFor(QUIET);

        Instant newDeadline = inventory().get(old.identity().key()).orElseThrow().deadline();
        harness.clock.set(newDeadline);
        RenewalDue due = awaitNotices(1).get(0);
        assertEquals("200", due.serial());
        assertNothingFor(QUIET);
        assertEquals(1, renewals.received().size());
    }

    @Test
    void theSameCertificateSeenOnBothInputsCountsOnce() {
        X509Certificate c = certificate("system:node:worker-3", "0c0ffee", T0, T0.plus(LIFETIME));
        CertIssued fromSigner = issued(CLIENT, c, "csr-w3", T0);
        var topics = harness.settings.topics();
        harness.send(EventType.CERT_ISSUED, topics.issued(), fromSigner);
        harness.send(EventType.CSR_OBSERVED, topics.observed(), TestCertificates.observedIssued(CLIENT, "csr-w3", c,
                T0.plusSeconds(1)));
        harness.send(EventType.CERT_ISSUED, topics.issued(), fromSigner);

        // A certificate from a signer that is not ours, seen only in csr.observed, is tracked too.
        X509Certificate other = certificate("system:node:worker-4", "0d", T0, T0.plus(LIFETIME));
        String otherSigner = "example.com/node-client";
        harness.send(EventType.CSR_OBSERVED, topics.observed(), TestCertificates.observedIssued(otherSigner,
                "csr-w4", other, T0));

        String otherKey = new Identity(otherSigner, "system:node:worker-4").key();
        TrackedCertificate tracked = awaitTracked(otherKey);
        assertEquals(Sighting.Source.CSR_OBSERVED, tracked.source());
        assertEquals("worker-4", tracked.nodeName());
        assertEquals("csr-w4", tracked.csrName());
        assertEquals(Sighting.Source.CERT_ISSUED, awaitTracked(fromSigner.identity().key()).source());

        harness.clock.set(T0.plus(Duration.ofDays(9)));
        List<RenewalDue> notices = awaitNotices(2);
        assertNothingFor(QUIET);
        assertEquals(2, renewals.received().size(), "one notice per certificate: " + notices);
        assertEquals(List.of("c0ffee", "d"), notices.stream().map(RenewalDue::serial).sorted().toList());
    }

    @Test
    void aCertificateFirstSeenAfterItsNotAfterGetsOneExpiredNotice() {
        harness.clock.set(T0.plus(Duration.ofDays(20)));
        CertIssued cert = issued("worker-5", "05", T0, T0.plus(LIFETIME), T0);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), cert);
        RenewalDue notice = awaitNotices(1).get(0);
        assertEquals(RenewalReason.EXPIRED, notice.reason());
        assertEquals(1, notice.notice());
        assertNothingFor(QUIET);
        assertEquals(1, renewals.received().size());
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheRestIsProcessed() {
        var topics = harness.settings.topics();
        harness.sendRaw(topics.issued(), "k", "not an event".getBytes(StandardCharsets.UTF_8));
        CertIssued wrongKey = issued("worker-6", "06", T0, T0.plus(LIFETIME), T0);
        harness.sendKeyed(EventType.CERT_ISSUED, topics.issued(), "worker-6", wrongKey);
        CertIssued good = issued("worker-7", "07", T0, T0.plus(LIFETIME), T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), good);
        awaitTracked(good.identity().key());
        assertTrue(inventory().get(wrongKey.identity().key()).isEmpty());

        // Read the dead letters raw: they are not valid events, which is why they are there.
        try (var raw = new RawTopic(harness.bootstrap, topics.deadLetter())) {
            var records = raw.atLeast(2);
            // Two input partitions feed one dead-letter partition: find each by what it holds.
            var garbage = records.stream().filter(r -> r.headers().lastHeader("ce_type") == null).findFirst()
                    .orElseThrow();
            var misKeyed = records.stream().filter(r -> "worker-6".equals(r.key())).findFirst().orElseThrow();
            assertEquals("not an event", new String(garbage.value(), StandardCharsets.UTF_8));
            assertTrue(header(garbage, DeadLetters.REASON_HEADER).contains("ce_specversion"),
                    header(garbage, DeadLetters.REASON_HEADER));
            assertEquals(topics.issued(), header(garbage, DeadLetters.TOPIC_HEADER));
            assertEquals("record key 'worker-6' is not the identity key '" + wrongKey.identity().key() + "'",
                    header(misKeyed, DeadLetters.REASON_HEADER));
            assertEquals(EventType.CERT_ISSUED.type(), header(misKeyed, "ce_type"));
        }
    }

    @Test
    void snapshotsAnnouncingAnotherPhaseArePassedByAndOnesWithoutThePhaseHeaderAreRead() {
        var topics = harness.settings.topics();
        // A snapshot that says it is Pending is no sighting: the scheduler does not even decode it.
        ProducerRecord<String, byte[]> pending = new ProducerRecord<>(topics.observed(), "csr-p1",
                "not an event".getBytes(StandardCharsets.UTF_8));
        pending.headers().add(EventCodec.H_PHASE, "Pending".getBytes(StandardCharsets.UTF_8));
        harness.sendRecord(pending);
        // An Issued snapshot from a producer older than the header is a sighting, as before.
        X509Certificate c = certificate("system:node:worker-9", "09", T0, T0.plus(LIFETIME));
        ProducerRecord<String, byte[]> older = harness.encoded(EventType.CSR_OBSERVED, topics.observed(),
                TestCertificates.observedIssued(CLIENT, "csr-w9", c, T0));
        older.headers().remove(EventCodec.H_PHASE);
        harness.sendRecord(older);

        assertEquals(Sighting.Source.CSR_OBSERVED, awaitTracked(new Identity(CLIENT, "system:node:worker-9").key())
                .source());
        try (var raw = new RawTopic(harness.bootstrap, topics.deadLetter())) {
            assertEquals(List.of(), raw.after(Duration.ofSeconds(3)).stream().map(r -> r.key()).toList());
        }
    }

    /** A cert.issued whose certificate the client signer's CA did not sign is not believed. */
    @Test
    void aForgedCertificateIsNotTrackedAndGoesToTheDeadLetterTopicSayingWhy() {
        var topics = harness.settings.topics();
        CertIssued forged = TestCertificates.issued(CLIENT, TestCertificates.forged("system:node:worker-8", "08", T0,
                T0.plus(LIFETIME)), "csr-forged", T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), forged);
        CertIssued genuine = issued("worker-9", "09", T0, T0.plus(LIFETIME), T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), genuine);
        awaitTracked(genuine.identity().key());

        assertTrue(inventory().get(forged.identity().key()).isEmpty(), "the forged certificate was tracked");
        try (var raw = new RawTopic(harness.bootstrap, topics.deadLetter())) {
            var rejected = raw.atLeast(1).stream().filter(r -> forged.identity().key().equals(r.key())).findFirst()
                    .orElseThrow();
            String reason = header(rejected, DeadLetters.REASON_HEADER);
            assertTrue(reason.startsWith("certificate 8 of " + CLIENT + " (issuer ")
                    && reason.contains("CN=test-ca") && reason.contains(") is not signed by a CA in the trust bundle "),
                    reason);
        }
    }

    @Test
    void aGenuineCertificateReplayedUnderAnotherIdentityOrWithOtherDatesIsRefused() {
        var topics = harness.settings.topics();
        CertIssued victim = issued("worker-10", "0a", T0, T0.plus(LIFETIME), T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), victim);
        awaitTracked(victim.identity().key());
        // The attacker's own genuine certificate, announced as the victim's and as if valid decades later:
        // taken as newest, it would cancel the victim's renewal.
        CertIssued own = issued("worker-11", "0b", T0, T0.plus(LIFETIME), T0);
        CertIssued replayed = new CertIssued(victim.identity(), "csr-replayed", "uid-replayed", own.subject(),
                List.of(), List.of(), own.serial(), T0.plus(Duration.ofDays(3650)), T0.plus(Duration.ofDays(3660)),
                own.sha256Fingerprint(), own.issuer(), own.certificate(), T0);
        harness.send(EventType.CERT_ISSUED, topics.issued(), replayed);

        try (var raw = new RawTopic(harness.bootstrap, topics.deadLetter())) {
            var rejected = raw.atLeast(1).stream().filter(r -> "csr-replayed".equals(csrName(r))
                    || victim.identity().key().equals(r.key())).findFirst().orElseThrow();
            String reason = header(rejected, DeadLetters.REASON_HEADER);
            assertTrue(reason.contains("the event's identity '" + victim.identity().key() + "' is not its certificate's"),
                    reason);
        }
        assertEquals("a", inventory().get(victim.identity().key()).orElseThrow().serial(),
                "the victim's certificate is still the one tracked");
    }

    private static String csrName(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8).contains("csr-replayed") ? "csr-replayed" : null;
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private LocalInventory inventory() {
        return scheduler.localInventory();
    }

    private TrackedCertificate awaitTracked(String identity) {
        return harness.awaitTracked(scheduler, identity);
    }

    private List<RenewalDue> awaitNotices(int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> renewals.received().size() >= count);
        return renewals.received().stream().map(EventProbe.Received::data).toList();
    }

    private void assertNothingFor(Duration quiet) {
        int before = renewals.received().size();
        try {
            Thread.sleep(quiet.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(before, renewals.received().size(), "no renewal event expected yet");
    }
}
