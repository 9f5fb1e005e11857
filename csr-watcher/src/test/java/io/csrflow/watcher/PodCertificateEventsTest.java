package io.csrflow.watcher;

import static io.csrflow.watcher.PodCertificateTestSupport.create;
import static io.csrflow.watcher.PodCertificateTestSupport.ed25519;
import static io.csrflow.watcher.PodCertificateTestSupport.latest;
import static io.csrflow.watcher.PodCertificateTestSupport.phasesOf;
import static io.csrflow.watcher.PodCertificateTestSupport.podOnNode;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A PodCertificateRequest's life on {@code csrflow.pcr.observed}, against the emulator serving them
 * as kube-apiserver 1.35 does and with the watcher's RBAC from k8s/: created by a kubelet, answered
 * by a signer through {@code /status}, deleted.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "csr-watcher-token"))
class PodCertificateEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<PodCertificateObserved> probe;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        probe = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.POD_CERTIFICATE_OBSERVED);
    }

    @AfterEach
    void disconnect() {
        probe.close();
        admin.close();
    }

    @Test
    void aRequestIsPublishedPendingWithEverySpecFieldUnderNamespaceAndName() {
        PodCertificateTestSupport.Pod pod = podOnNode(emulator, admin, "team-a", "web-1", "pcr-node-1");
        KeyPair key = ed25519();
        GenericKubernetesResource created = create(emulator, pod, "web-1-cert", key,
                Map.of("example.com/purpose", "metrics"));

        await().atMost(WAIT).until(() -> phasesOf(probe, "team-a/web-1-cert").contains(PodCertificatePhase.PENDING));
        PodCertificateObserved pending = latest(probe, "team-a/web-1-cert");
        assertEquals("team-a", pending.namespace());
        assertEquals("web-1-cert", pending.name());
        assertEquals(created.getMetadata().getUid(), pending.uid());
        assertEquals(created.getMetadata().getResourceVersion(), pending.resourceVersion());
        assertEquals(PodCertificateTestSupport.SIGNER, pending.signerName());
        assertEquals("web-1", pending.podName());
        assertEquals(pod.uid(), pending.podUid());
        assertEquals("workload", pending.serviceAccountName());
        assertEquals(pod.serviceAccountUid(), pending.serviceAccountUid());
        assertEquals("pcr-node-1", pending.nodeName());
        assertEquals(pod.nodeUid(), pending.nodeUid());
        assertEquals(86400, pending.maxExpirationSeconds());
        assertEquals(Base64.getEncoder().encodeToString(key.getPublic().getEncoded()), pending.pkixPublicKey(),
                "base64 of the DER key, as the API's JSON has it");
        assertEquals(created.get("spec", "proofOfPossession"), pending.proofOfPossession());
        assertEquals(Map.of("example.com/purpose", "metrics"), pending.unverifiedUserAnnotations());
        assertEquals(List.of(), pending.conditions());
        assertNull(pending.certificateChain());
        assertNull(pending.notBefore());
        assertNull(pending.beginRefreshAt());
        assertNull(pending.notAfter());
        assertEquals(Instant.parse(created.getMetadata().getCreationTimestamp()), pending.createdAt());
        assertNotNull(pending.observedAt());

        List<EventProbe.Received<PodCertificateObserved>> records = probe.received().stream()
                .filter(r -> r.data().name().equals("web-1-cert")).toList();
        assertTrue(records.stream().allMatch(r -> r.key().equals("team-a/web-1-cert")
                && r.event().subject().equals("team-a/web-1-cert")));
    }

    @Test
    void anIssuedRequestIsPublishedWithItsChainAndTimesAndItsDeletionWithItsLastState() {
        PodCertificateTestSupport.Pod pod = podOnNode(emulator, admin, "team-b", "api-1", "pcr-node-2");
        KeyPair key = ed25519();
        GenericKubernetesResource created = create(emulator, pod, "api-1-cert", key, Map.of());
        await().atMost(WAIT).until(() -> phasesOf(probe, "team-b/api-1-cert").contains(PodCertificatePhase.PENDING));

        PodCertificateTestSupport.Issued issued = PodCertificateTestSupport.issue(admin, created, key);
        await().atMost(WAIT).until(() -> phasesOf(probe, "team-b/api-1-cert").contains(PodCertificatePhase.ISSUED));
        PodCertificateObserved event = latest(probe, "team-b/api-1-cert");
        assertEquals(issued.chain(), event.certificateChain());
        assertEquals(issued.notBefore(), event.notBefore());
        assertEquals(issued.beginRefreshAt(), event.beginRefreshAt());
        assertEquals(issued.notAfter(), event.notAfter());
        assertEquals("Issued", event.conditions().get(0).type());
        assertEquals("True", event.conditions().get(0).status());
        assertEquals("Issued", event.conditions().get(0).reason());
        assertEquals("issued by the test", event.conditions().get(0).message());
        assertNotNull(event.conditions().get(0).lastTransitionTime());

        PodCertificateTestSupport.delete(admin, created);
        await().atMost(WAIT).until(() -> phasesOf(probe, "team-b/api-1-cert").contains(PodCertificatePhase.DELETED));
        assertEquals(List.of(PodCertificatePhase.PENDING, PodCertificatePhase.ISSUED, PodCertificatePhase.DELETED),
                phasesOf(probe, "team-b/api-1-cert"));
        assertEquals(issued.chain(), latest(probe, "team-b/api-1-cert").certificateChain(),
                "the last state before the deletion");
        assertEquals(1, probe.received().stream().filter(r -> r.key().equals("team-b/api-1-cert"))
                .map(EventProbe.Received::partition).distinct().count());
    }

    @Test
    void deniedAndFailedRequestsArePublished() {
        PodCertificateTestSupport.Pod pod = podOnNode(emulator, admin, "team-c", "db-1", "pcr-node-3");
        GenericKubernetesResource denied = create(emulator, pod, "db-1-denied", ed25519(), Map.of());
        GenericKubernetesResource failed = create(emulator, pod, "db-1-failed", ed25519(), Map.of());

        PodCertificateTestSupport.deny(admin, denied);
        PodCertificateTestSupport.fail(admin, failed);

        await().atMost(WAIT).until(() -> phasesOf(probe, "team-c/db-1-denied").contains(PodCertificatePhase.DENIED)
                && phasesOf(probe, "team-c/db-1-failed").contains(PodCertificatePhase.FAILED));
        assertEquals("NotAllowed", latest(probe, "team-c/db-1-denied").conditions().get(0).reason());
        assertNull(latest(probe, "team-c/db-1-denied").certificateChain());
        assertEquals("SignerUnavailable", latest(probe, "team-c/db-1-failed").conditions().get(0).reason());
    }

    @Test
    void theSameNameInTwoNamespacesIsTwoRequests() {
        PodCertificateTestSupport.Pod a = podOnNode(emulator, admin, "team-d", "same", "pcr-node-4");
        PodCertificateTestSupport.Pod b = podOnNode(emulator, admin, "team-e", "same", "pcr-node-4");
        create(emulator, a, "same-cert", ed25519(), Map.of());
        create(emulator, b, "same-cert", ed25519(), Map.of());

        await().atMost(WAIT).until(() -> latest(probe, "team-d/same-cert") != null
                && latest(probe, "team-e/same-cert") != null);
        assertEquals(a.uid(), latest(probe, "team-d/same-cert").podUid());
        assertEquals(b.uid(), latest(probe, "team-e/same-cert").podUid());
    }

    @Test
    void reportsWatchingThemInReadinessAndMetrics() {
        PodCertificateTestSupport.Pod pod = podOnNode(emulator, admin, "team-f", "metrics-1", "pcr-node-5");
        create(emulator, pod, "metrics-1-cert", ed25519(), Map.of());
        await().atMost(WAIT).until(() -> phasesOf(probe, "team-f/metrics-1-cert")
                .contains(PodCertificatePhase.PENDING));

        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"podCertificates\": \"watched\""))
                .body(containsString("\"podCertificateInformerSynced\": true"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("csrflow_watcher_pcr_events_published_total{phase=\"Pending\"}"))
                .body(containsString("csrflow_watcher_pcr_pending_backlog"))
                .body(containsString("csrflow_watcher_pcr_publish_failures_total"));
    }
}
