package io.csrflow.watcher;

import static io.csrflow.watcher.WatcherTestSupport.approve;
import static io.csrflow.watcher.WatcherTestSupport.base64;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static io.csrflow.watcher.WatcherTestSupport.latest;
import static io.csrflow.watcher.WatcherTestSupport.phasesOf;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "csr-watcher-token"))
class CsrLifecycleEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    KubernetesClient bootstrap;
    EventProbe<CsrObserved> probe;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        bootstrap = emulator.client("bootstrap-token");
        probe = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_OBSERVED);
    }

    @AfterEach
    void disconnect() {
        probe.close();
        admin.close();
        bootstrap.close();
    }

    @Test
    void oneCsrsLifeIsPublishedInOrderUnderItsName() throws Exception {
        createKubeletCsr(bootstrap, "life-1", "worker-1");
        await().atMost(WAIT).until(() -> phasesOf(probe, "life-1").contains(CsrPhase.PENDING));
        CsrObserved pending = latest(probe, "life-1");
        assertEquals("system:bootstrap:abcdef", pending.requester().username());
        assertTrue(pending.request().startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
        assertEquals(List.of("digital signature", "client auth"), pending.usages());

        CertificateSigningRequest approved = approve(admin, "life-1");
        await().atMost(WAIT).until(() -> phasesOf(probe, "life-1").contains(CsrPhase.APPROVED));
        assertEquals("AutoApproved", latest(probe, "life-1").conditions().get(0).reason());

        String certificate = Files.readString(Path.of(getClass().getResource("/issued.pem").toURI()));
        admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                .editStatus().withCertificate(base64(certificate)).endStatus().build()).updateStatus();
        await().atMost(WAIT).until(() -> phasesOf(probe, "life-1").contains(CsrPhase.ISSUED));
        assertEquals(certificate, latest(probe, "life-1").certificate());

        admin.certificates().v1().certificateSigningRequests().withName("life-1").delete();
        await().atMost(WAIT).until(() -> phasesOf(probe, "life-1").contains(CsrPhase.DELETED));

        assertEquals(List.of(CsrPhase.PENDING, CsrPhase.APPROVED, CsrPhase.ISSUED, CsrPhase.DELETED),
                phasesOf(probe, "life-1"));
        assertNull(latest(probe, "life-1").deletedBecause(), "deleted by an administrator, not by the cleaner");
        assertEquals(certificate, latest(probe, "life-1").certificate(), "the last state before the deletion");
        List<EventProbe.Received<CsrObserved>> records = probe.received().stream()
                .filter(r -> r.data().name().equals("life-1")).toList();
        assertTrue(records.stream().allMatch(r -> r.key().equals("life-1")));
        assertEquals(1, records.stream().map(EventProbe.Received::partition).distinct().count());
    }

    @Test
    void approvalByKubectlIsPublished() throws Exception {
        createKubeletCsr(bootstrap, "kubectl-1", "worker-2");
        Path kubeconfig = emulator.writeKubeconfig(Files.createTempDirectory("kc").resolve("config"), "admin-token");

        Process kubectl = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "certificate",
                "approve", "kubectl-1").redirectErrorStream(true).start();
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, kubectl.exitValue(), new String(kubectl.getInputStream().readAllBytes()));

        await().atMost(WAIT).until(() -> phasesOf(probe, "kubectl-1").contains(CsrPhase.APPROVED));
        assertEquals("KubectlApprove", latest(probe, "kubectl-1").conditions().get(0).reason());
    }

    @Test
    void denialAndSignerFailureArePublished() {
        createKubeletCsr(bootstrap, "denied-1", "worker-3");
        admin.certificates().v1().certificateSigningRequests().withName("denied-1").deny();
        await().atMost(WAIT).until(() -> phasesOf(probe, "denied-1").contains(CsrPhase.DENIED));

        createKubeletCsr(bootstrap, "failed-1", "worker-4");
        // Each state published before the next is written: an unsent snapshot is replaced by a newer
        // one, by design, so a CSR approved at once may never be seen Pending on the topic.
        await().atMost(WAIT).until(() -> phasesOf(probe, "failed-1").contains(CsrPhase.PENDING));
        CertificateSigningRequest approved = approve(admin, "failed-1");
        await().atMost(WAIT).until(() -> phasesOf(probe, "failed-1").contains(CsrPhase.APPROVED));
        admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                .editStatus().addToConditions(new CertificateSigningRequestConditionBuilder().withType("Failed")
                        .withStatus("True").withReason("SignerValidationFailure").withMessage("bad key").build())
                .endStatus().build()).updateStatus();
        await().atMost(WAIT).until(() -> phasesOf(probe, "failed-1").contains(CsrPhase.FAILED));
        assertEquals(List.of(CsrPhase.PENDING, CsrPhase.APPROVED, CsrPhase.FAILED), phasesOf(probe, "failed-1"));
    }

    @Test
    void reportsReadinessAndMetrics() {
        createKubeletCsr(bootstrap, "metrics-1", "worker-5");
        await().atMost(WAIT).until(() -> phasesOf(probe, "metrics-1").contains(CsrPhase.PENDING));

        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"role\": \"leader\""))
                .body(containsString("\"kafka\""));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("csrflow_watcher_events_published_total{phase=\"Pending\"}"))
                .body(containsString("csrflow_watcher_pending_backlog"))
                .body(containsString("csrflow_watcher_cleaner_deleted_total{reason=\"IssuedPastDeadline\"}"))
                .body(containsString("csrflow_watcher_cleaner_deleted_total{reason=\"PendingPastDeadline\"}"))
                .body(containsString("csrflow_watcher_cleaner_errors_total"));
    }
}
