package io.csrflow.scheduler.streams;

import static io.csrflow.scheduler.streams.TestCertificates.podCertificate;
import static io.csrflow.scheduler.streams.TestCertificates.podCertificateIssued;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.scheduler.inventory.CertificateStatus;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;
import io.csrflow.scheduler.nodes.NodeDirectory;
import io.csrflow.scheduler.pods.KubePodDirectory;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Pods' certificates from pcr.observed, on the real test broker with the trust bundle on: tracked
 * under the pod's identity from Issued snapshots only, replaced by newer ones, undecodable ones
 * dead-lettered with their reason, and kept, with their overdue state, across a restart on an empty
 * disk (the pod looked up in the Kubernetes API emulator).
 */
class PodCertificateInventoryTest {
    static final Instant T0 = Instant.parse("2026-08-01T00:00:00Z");
    static final Duration LIFETIME = Duration.ofHours(24);
    static final String SIGNER = "example.com/pod-identity";
    static final String NS = "shop";
    static final String SA = "web";

    private final SchedulerHarness harness = new SchedulerHarness(T0, 3);
    private KubeEmulator emulator;
    private KubePodDirectory pods;

    @AfterEach
    void close() {
        harness.close();
        if (pods != null) {
            pods.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void anIssuedRequestsCertificateIsTrackedUnderItsPodWhilePendingDeniedAndFailedOnesAreIgnored() {
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        String topic = harness.settings.topics().podCertificates();
        X509Certificate issued = leaf("web-0", "a1", T0);
        // Denied and Failed snapshots carrying a later certificate (which they never do): had either
        // been taken, the Issued one after them on the same partition would be stale.
        X509Certificate later = leaf("web-0", "d1", T0.plus(Duration.ofHours(1)));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-0", "web-0-r1", PodCertificatePhase.PENDING,
                null, T0));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-0", "web-0-r1", PodCertificatePhase.DENIED,
                later, T0));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-0", "web-0-r1", PodCertificatePhase.FAILED,
                later, T0));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-0", "web-0-r1", PodCertificatePhase.ISSUED,
                issued, T0));

        String key = Identity.workload(SIGNER, NS, SA, "web-0").key();
        assertEquals(SIGNER + "@shop/web|web-0", key);
        TrackedCertificate t = harness.awaitTracked(scheduler, key);
        assertEquals("a1", t.serial());
        assertEquals(Sighting.Source.PCR_OBSERVED, t.source());
        assertEquals("uid-web-0", t.pod().podUid());
        assertEquals("worker-1", t.pod().nodeName());
        assertEquals("web-0-r1", t.pod().requestName());
        assertEquals(T0.plus(Duration.ofHours(12)), t.pod().beginRefreshAt());
        assertEquals(t.pod().beginRefreshAt(), t.deadline());
        assertEquals(T0.plus(Duration.ofHours(12)).plus(SchedulerHarness.OVERDUE_MARGIN), t.nextNoticeAt());
        assertNull(t.nodeName(), "not in the node index: no Node deletion removes it");
        assertNull(t.csrName());
        assertEquals(CertificateStatus.SCHEDULED, t.status(T0, SchedulerHarness.FIRST_REMINDER));
        assertEquals(List.of(key), all(scheduler).stream().map(c -> c.identity().key()).toList());
    }

    @Test
    void aNewerCertificateOfThePodSupersedesTheOldOneAndAnOlderOneArrivingLateDoesNot() {
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        String topic = harness.settings.topics().podCertificates();
        String key = Identity.workload(SIGNER, NS, SA, "web-0").key();
        PodCertificateObserved first = pcr("web-0", "web-0-r1", PodCertificatePhase.ISSUED, leaf("web-0", "b1", T0), T0);
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, first);
        assertEquals("b1", harness.awaitTracked(scheduler, key).serial());

        // The kubelet refreshes at beginRefreshAt: a new request, a new key, a new certificate.
        Instant refreshed = T0.plus(Duration.ofHours(12));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-0", "web-0-r2", PodCertificatePhase.ISSUED,
                leaf("web-0", "b2", refreshed), refreshed));
        await().atMost(Duration.ofSeconds(20)).until(() -> "b2".equals(harness.awaitTracked(scheduler, key).serial()));
        TrackedCertificate t = harness.awaitTracked(scheduler, key);
        assertEquals("web-0-r2", t.pod().requestName());
        assertEquals(refreshed.plus(Duration.ofHours(12)), t.deadline());

        // The first request's snapshot again (the watcher's resync), then a marker on the same partition.
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, first);
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-1", "web-0-r1", PodCertificatePhase.ISSUED,
                leaf("web-1", "b3", T0), T0));
        harness.awaitTracked(scheduler, Identity.workload(SIGNER, NS, SA, "web-1").key());
        assertEquals("b2", harness.awaitTracked(scheduler, key).serial(), "the older certificate is ignored");
    }

    @Test
    void aDeletedRequestLeavesItsCertificateInThePodAndInTheInventory() {
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        String topic = harness.settings.topics().podCertificates();
        String key = Identity.workload(SIGNER, NS, SA, "web-0").key();
        PodCertificateObserved issued = pcr("web-0", "web-0-r1", PodCertificatePhase.ISSUED, leaf("web-0", "c1", T0),
                T0);
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, issued);
        harness.awaitTracked(scheduler, key);

        // Deleted, with a later certificate it never had: neither removes nor replaces anything. A new
        // request of the same name, for another pod, comes after it on the same partition.
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, TestCertificates.deleted(
                pcr("web-0", "web-0-r1", PodCertificatePhase.ISSUED, leaf("web-0", "c9", T0.plusSeconds(60)), T0),
                T0.plus(Duration.ofHours(1))));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, pcr("web-2", "web-0-r1", PodCertificatePhase.ISSUED,
                leaf("web-2", "c2", T0), T0));
        harness.awaitTracked(scheduler, Identity.workload(SIGNER, NS, SA, "web-2").key());
        assertEquals("c1", harness.awaitTracked(scheduler, key).serial());
    }

    @Test
    void undecodableSnapshotsGoToTheDeadLetterTopicWithTheirReason() {
        SchedulerStreams scheduler = harness.start(NodeDirectory.NONE);
        String topic = harness.settings.topics().podCertificates();
        PodCertificateObserved genuine = pcr("web-0", "web-0-r1", PodCertificatePhase.ISSUED,
                leaf("web-0", "e1", T0), T0);
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, TestCertificates.withChain(
                pcr("bad-0", "bad-0-chain", PodCertificatePhase.ISSUED, leaf("bad-0", "e2", T0), T0),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, TestCertificates.withTimes(
                pcr("bad-1", "bad-1-times", PodCertificatePhase.ISSUED, leaf("bad-1", "e3", T0), T0),
                T0, T0.plus(Duration.ofHours(12)), T0.plus(Duration.ofDays(365))));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, TestCertificates.withTimes(
                pcr("bad-2", "bad-2-refresh", PodCertificatePhase.ISSUED, leaf("bad-2", "e4", T0), T0),
                null, null, null));
        harness.sendRaw(topic, "shop/bad-3-json", "{not json".getBytes(StandardCharsets.UTF_8));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, genuine);
        harness.awaitTracked(scheduler, Identity.workload(SIGNER, NS, SA, "web-0").key());

        try (var raw = new RawTopic(harness.bootstrap, harness.settings.topics().deadLetter())) {
            Map<String, ConsumerRecord<String, byte[]>> byKey = raw.atLeast(4).stream()
                    .collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));
            assertTrue(reason(byKey.get("shop/bad-0-chain")).startsWith(
                    "PodCertificateRequest shop/bad-0-chain, certificateChain: not a PEM X.509 certificate"),
                    reason(byKey.get("shop/bad-0-chain")));
            assertEquals("PodCertificateRequest shop/bad-1-times: notAfter " + T0.plus(Duration.ofDays(365))
                    + " is not the certificate's " + T0.plus(LIFETIME), reason(byKey.get("shop/bad-1-times")));
            assertEquals("PodCertificateRequest shop/bad-2-refresh: beginRefreshAt null is not within the "
                    + "certificate's validity [" + T0 + ", " + T0.plus(LIFETIME) + "]",
                    reason(byKey.get("shop/bad-2-refresh")));
            assertTrue(byKey.containsKey("shop/bad-3-json"));
            for (ConsumerRecord<String, byte[]> r : byKey.values()) {
                assertEquals(topic, new String(r.headers().lastHeader(DeadLetters.TOPIC_HEADER).value(),
                        StandardCharsets.UTF_8));
            }
            assertEquals(4, byKey.size(), "only the broken ones");
        }
        assertEquals(List.of("web-0"), all(scheduler).stream().map(t -> t.identity().commonName()).toList());
    }

    @Test
    void aRestartOnAnEmptyDiskKeepsPodCertificatesAndTheirOverdueState() {
        emulator = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", 0, true);
        String running;
        String deleted;
        try (KubernetesClient admin = emulator.client("admin-token")) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
            running = createPod(admin, "web-0");
            deleted = createPod(admin, "web-9");
            admin.pods().inNamespace(NS).withName("web-9").delete();
            pods = new KubePodDirectory(admin);
        }
        SchedulerStreams first = harness.start(NodeDirectory.NONE, pods);
        String topic = harness.settings.topics().podCertificates();

        // Both were to be refreshed an hour ago: overdue if the pod runs, dropped if it is gone.
        Instant notBefore = T0.minus(Duration.ofHours(13));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, podCertificateIssued(SIGNER, NS, "default", "web-0",
                running, "worker-1", "web-0-r1", leaf("web-0", "f1", notBefore), T0.minus(Duration.ofHours(1)),
                notBefore));
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, podCertificateIssued(SIGNER, NS, "default", "web-9",
                deleted, "worker-1", "web-9-r1", leaf("web-9", "f9", notBefore), T0.minus(Duration.ofHours(1)),
                notBefore));
        // Not due for refresh yet.
        harness.send(EventType.POD_CERTIFICATE_OBSERVED, topic, podCertificateIssued(SIGNER, NS, "default", "web-1",
                "uid-web-1", "worker-2", "web-1-r1", leaf("web-1", "f2", T0), T0.plus(Duration.ofHours(12)), T0));
        String overdueKey = Identity.workload(SIGNER, NS, "default", "web-0").key();
        String goneKey = Identity.workload(SIGNER, NS, "default", "web-9").key();
        String scheduledKey = Identity.workload(SIGNER, NS, "default", "web-1").key();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.localInventory().get(overdueKey)
                .map(t -> t.overdueSince() != null).orElse(false));
        harness.awaitTracked(first, scheduledKey);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.localInventory().get(goneKey).isEmpty()
                && first.localInventory().get(overdueKey).isPresent());
        TrackedCertificate before = first.localInventory().get(overdueKey).orElseThrow();
        assertEquals(T0, before.overdueSince());
        assertEquals(T0.plus(SchedulerHarness.FIRST_REMINDER), before.nextNoticeAt(), "looked at again in an hour");

        first.close();
        SchedulerStreams second = harness.start(NodeDirectory.NONE, pods); // empty state: restored from changelogs

        assertEquals(before, harness.awaitTracked(second, overdueKey));
        assertEquals(CertificateStatus.OVERDUE, harness.awaitTracked(second, overdueKey)
                .status(T0, SchedulerHarness.FIRST_REMINDER));
        assertEquals("f2", harness.awaitTracked(second, scheduledKey).serial());
        assertTrue(second.localInventory().get(goneKey).isEmpty());
    }

    private static String createPod(KubernetesClient admin, String name) {
        Pod pod = admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example.com/app:1").endContainer()
                .endSpec().build()).create();
        return pod.getMetadata().getUid();
    }

    private static String reason(ConsumerRecord<String, byte[]> deadLetter) {
        return new String(deadLetter.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8);
    }

    /** A pod certificate of {@code pod} valid from {@code notBefore} for a day. */
    private static X509Certificate leaf(String pod, String serial, Instant notBefore) {
        return TestCertificates.workload("", List.of(pod + ".web.shop.svc"), serial, notBefore,
                notBefore.plus(LIFETIME));
    }

    /** A snapshot of request {@code request} of pod {@code pod} (SA web, on worker-1), refresh halfway. */
    private static PodCertificateObserved pcr(String pod, String request, PodCertificatePhase phase, X509Certificate c,
            Instant observedAt) {
        Instant refresh = c == null ? null : c.getNotBefore().toInstant().plus(Duration.ofHours(12));
        return podCertificate(SIGNER, NS, SA, pod, "uid-" + pod, "worker-1", request, phase, c, refresh, observedAt);
    }

    private static List<TrackedCertificate> all(SchedulerStreams scheduler) {
        return scheduler.localInventory().page(null, 100, t -> true);
    }
}
