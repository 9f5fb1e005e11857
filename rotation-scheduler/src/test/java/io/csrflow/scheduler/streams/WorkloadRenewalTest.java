package io.csrflow.scheduler.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
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
 * Workload certificates (a ServiceAccount's, from a workload signer) as consumers of
 * cert.renewal-due see them, on a real broker with the trust bundle on (so every identity is
 * derived again from the certificate): one identity per namespace and ServiceAccount, the same
 * identity from either input, renewal-due by the same deadline rule as node certificates.
 */
class WorkloadRenewalTest {
    static final Instant T0 = RenewalScheduleTest.T0;
    static final Duration LIFETIME = RenewalScheduleTest.LIFETIME;
    static final String WORKLOAD = "csrflow.io/workload-serving";

    private final SchedulerHarness harness = new SchedulerHarness(T0, 3);
    private final SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
    private final EventProbe<RenewalDue> renewals = harness.renewals();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void theSameNameInTwoNamespacesIsTwoIdentitiesAndBothAreDueForRenewal() {
        String cn = "web.shop.svc";
        CertIssued teamA = TestCertificates.issuedToServiceAccount(WORKLOAD, "team-a", "default",
                TestCertificates.workload(cn, List.of(cn), "a01", T0, T0.plus(LIFETIME)), "csr-a", T0);
        CertIssued teamB = TestCertificates.issuedToServiceAccount(WORKLOAD, "team-b", "default",
                TestCertificates.workload(cn, List.of(cn), "b01", T0, T0.plus(LIFETIME)), "csr-b", T0);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), teamA);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), teamB);

        TrackedCertificate a = awaitTracked(WORKLOAD + "@team-a/default|" + cn);
        TrackedCertificate b = awaitTracked(WORKLOAD + "@team-b/default|" + cn);
        assertEquals("a01", a.serial());
        assertEquals("b01", b.serial());
        assertNull(a.nodeName(), "a workload certificate is no node's");
        DeadlinePolicy kubelet = new DeadlinePolicy.KubeletJitter();
        assertEquals(kubelet.deadline("a01", T0, T0.plus(LIFETIME)), a.deadline());
        assertEquals(kubelet.deadline("b01", T0, T0.plus(LIFETIME)), b.deadline());

        harness.clock.set(T0.plus(Duration.ofDays(9))); // past both deadlines (0.7–0.9 of the lifetime)
        await().atMost(Duration.ofSeconds(20)).until(() -> renewals.received().size() >= 2);
        List<EventProbe.Received<RenewalDue>> notices = renewals.received();
        assertEquals(Set.of(teamA.identity(), teamB.identity()),
                notices.stream().map(r -> r.data().identity()).collect(Collectors.toSet()));
        assertEquals(Set.of(teamA.identity().key(), teamB.identity().key()),
                notices.stream().map(EventProbe.Received::key).collect(Collectors.toSet()), "keyed by identity");
        for (EventProbe.Received<RenewalDue> notice : notices) {
            assertEquals(RenewalReason.DUE, notice.data().reason());
            assertNull(notice.data().nodeName());
            assertEquals("default", notice.data().identity().serviceAccount());
        }
    }

    @Test
    void aCertificateWithoutCommonNameHasTheSameIdentityOnBothInputsNamedByItsFirstDnsName() {
        List<String> names = List.of("api.payments.svc", "api.payments.svc.cluster.local");
        String key = WORKLOAD + "@payments/api|api.payments.svc";
        var topics = harness.settings.topics();
        // The first certificate seen only in csr.observed (the watcher's view of the CSR) ...
        X509Certificate first = TestCertificates.workload("", names, "c01", T0, T0.plus(LIFETIME));
        harness.send(EventType.CSR_OBSERVED, topics.observed(), TestCertificates.observedIssued(WORKLOAD,
                "system:serviceaccount:payments:api", "csr-c1", first, T0));
        assertEquals(Sighting.Source.CSR_OBSERVED, awaitTracked(key).source());

        // ... and its renewal on cert.issued (the signer's announcement) replace each other under one identity.
        Instant renewedAt = T0.plus(Duration.ofDays(8));
        X509Certificate renewed = TestCertificates.workload("", names, "c02", renewedAt, renewedAt.plus(LIFETIME));
        CertIssued fromSigner = TestCertificates.issuedToServiceAccount(WORKLOAD, "payments", "api", renewed, "csr-c2",
                renewedAt);
        assertEquals(key, fromSigner.identity().key());
        harness.send(EventType.CERT_ISSUED, topics.issued(), fromSigner);
        await().atMost(Duration.ofSeconds(20)).until(() -> "c02".equals(awaitTracked(key).serial()));
        assertEquals(List.of(key), inventory().page(null, 100, t -> true).stream()
                .map(t -> t.identity().key()).toList());

        harness.clock.set(renewedAt.plus(Duration.ofDays(9)));
        await().atMost(Duration.ofSeconds(20)).until(() -> !renewals.received().isEmpty());
        RenewalDue due = renewals.received().get(0).data();
        assertEquals("c02", due.serial(), "the replaced certificate's renewal was cancelled");
        assertEquals(Identity.workload(WORKLOAD, "payments", "api", "api.payments.svc"), due.identity());
    }

    @Test
    void aWorkloadCertificateAnnouncedUnderANameItDoesNotCarryIsRefused() {
        X509Certificate c = TestCertificates.workload("web.shop.svc", List.of("web.shop.svc"), "d01", T0,
                T0.plus(LIFETIME));
        CertIssued genuine = TestCertificates.issuedToServiceAccount(WORKLOAD, "shop", "web", c, "csr-d", T0);
        Identity victim = Identity.workload(WORKLOAD, "shop", "web", "checkout.shop.svc");
        CertIssued misnamed = new CertIssued(victim, "csr-misnamed", "uid-m", genuine.subject(), List.of(), List.of(),
                genuine.serial(), genuine.notBefore(), genuine.notAfter(), genuine.sha256Fingerprint(),
                genuine.issuer(), genuine.certificate(), T0);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), misnamed);
        harness.send(EventType.CERT_ISSUED, harness.settings.topics().issued(), genuine);
        awaitTracked(genuine.identity().key());

        try (var raw = new RawTopic(harness.bootstrap, harness.settings.topics().deadLetter())) {
            var rejected = raw.atLeast(1).stream().filter(r -> victim.key().equals(r.key())).findFirst().orElseThrow();
            String reason = new String(rejected.headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                    StandardCharsets.UTF_8);
            assertTrue(reason.contains("the event's identity '" + victim.key() + "' is not its certificate's '"
                    + genuine.identity().key() + "'"), reason);
        }
        assertTrue(inventory().get(victim.key()).isEmpty());
    }

    private LocalInventory inventory() {
        return scheduler.localInventory();
    }

    private TrackedCertificate awaitTracked(String identity) {
        return harness.awaitTracked(scheduler, identity);
    }
}
