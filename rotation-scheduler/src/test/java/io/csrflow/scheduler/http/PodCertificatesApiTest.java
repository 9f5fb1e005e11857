package io.csrflow.scheduler.http;

import static io.csrflow.scheduler.PinnedClock.NOW;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.scheduler.StateDirTestResource;
import io.csrflow.scheduler.streams.TestCertificates;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.PrometheusText;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Pods' certificates in the running service: pcr.observed in, the inventory over HTTP filtered by
 * namespace, ServiceAccount and pod, the fleet summary and page, and overdue certificates looked up in
 * the Kubernetes API emulator with the scheduler's own credentials and RBAC (k8s/): reported (status,
 * gauge) while their pod runs, dropped once it is gone, replaced by another pod of the same name, or
 * finished. The clock is pinned at {@code NOW}; every certificate here is placed around it.
 */
@QuarkusTest
@TestProfile(PodCertificatesApiTest.OwnTopics.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodCertificatesApiTest {
    static final String SIGNER = "example.com/pod-identity";
    static final String NS = "pods-a";
    static final String SA = "web";

    /** The service as the other tests run it, but on topics and a consumer group of this test's own. */
    public static class OwnTopics implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(StateDirTestResource.class), new TestResourceEntry(Topics.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "rotation-scheduler-token")));
        }
    }

    /** Topics and a consumer group of this test's own, so that the counts here are this test's alone. */
    public static class Topics implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            List<String> topics = List.of("pods-issued-" + suffix, "pods-observed-" + suffix,
                    "pods-pcr-observed-" + suffix, "pods-renewal-due-" + suffix);
            KafkaBrokers.createTopics(KafkaBrokers.shared(), 3, topics);
            return Map.of("csrflow.topics.issued", topics.get(0),
                    "csrflow.topics.observed", topics.get(1),
                    "csrflow.topics.pod-certificates-observed", topics.get(2),
                    "csrflow.topics.renewal-due", topics.get(3),
                    "csrflow.scheduler.application-id", "pods-api-" + suffix);
        }

        @Override
        public void stop() {
            // the topics go with the test broker
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @ConfigProperty(name = "csrflow.topics.pod-certificates-observed")
    String podCertificatesTopic;

    @ConfigProperty(name = "csrflow.topics.issued")
    String issuedTopic;

    String web0Uid;

    /** Once per class; in @BeforeEach because REST Assured learns the test port only then. */
    @BeforeEach
    void seed() {
        if (web0Uid != null) {
            return;
        }
        String web1Uid;
        String web2Uid;
        String jobUid;
        try (KubernetesClient admin = emulator.client("admin-token")) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
            admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata().withName(SA)
                    .endMetadata().build()).create();
            web0Uid = createPod(admin, "web-0").getMetadata().getUid();
            web1Uid = createPod(admin, "web-1").getMetadata().getUid();
            web2Uid = createPod(admin, "web-2").getMetadata().getUid();
            Pod job = createPod(admin, "job-0");
            jobUid = job.getMetadata().getUid();
            job.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Succeeded").build());
            admin.pods().inNamespace(NS).resource(job).updateStatus();
        }
        Instant refreshedLongAgo = NOW.minus(Duration.ofHours(1));
        Instant notBefore = NOW.minus(Duration.ofHours(13));
        EventCodec codec = new EventCodec("/test", Clock.systemUTC());
        try (EventSender sender = new EventSender(KafkaBrokers.shared(), "/test")) {
            // Overdue, pod running: reported.
            send(sender, codec, "web-0", web0Uid, "web-0-r1", leaf("web-0", "70", notBefore), refreshedLongAgo);
            // Not due for refresh yet.
            send(sender, codec, "web-1", web1Uid, "web-1-r1", leaf("web-1", "71", NOW.minus(Duration.ofHours(1))),
                    NOW.plus(Duration.ofHours(11)));
            // Overdue, but the pod is gone, another pod has the name, or it has finished: dropped.
            send(sender, codec, "gone-0", "uid-gone-0", "gone-0-r1", leaf("gone-0", "72", notBefore),
                    refreshedLongAgo);
            send(sender, codec, "web-2", "uid-of-an-earlier-web-2", "web-2-r1", leaf("web-2", "73", notBefore),
                    refreshedLongAgo);
            send(sender, codec, "job-0", jobUid, "job-0-r1", leaf("job-0", "74", notBefore), refreshedLongAgo);
            // A CSR's certificate of the same ServiceAccount, for the kinds to tell apart.
            X509Certificate csr = TestCertificates.workload("api.pods-a.svc", List.of("api.pods-a.svc"), "75",
                    NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(29)));
            sender.sendRecord(codec.encode(EventType.CERT_ISSUED, TestCertificates.issuedToServiceAccount(
                    "example.com/workload-serving", NS, SA, csr, "csr-75", NOW)).toProducerRecord(issuedTopic));
        }
        assertTrue(web2Uid != null);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().queryParam("namespace", NS)
                .get("/v1/certificates").then().statusCode(200).body("items.serial", equalTo(List.of("70", "71", "75"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/certificates/" + key("web-0"))
                .then().statusCode(200).body("status", equalTo("OVERDUE")));
        // The three whose pods will not refresh them: looked up and dropped.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            for (String reason : List.of("pod-gone", "pod-replaced", "pod-finished")) {
                assertEquals(1.0, metric(metrics, "csrflow_scheduler_removed_total", Map.of("reason", reason)),
                        reason + "\n" + metrics);
            }
        });
    }

    @Test
    void listsPodCertificatesByNamespaceServiceAccountAndPod() {
        given().queryParam("namespace", NS).queryParam("serviceAccount", SA).queryParam("pod", "web-1")
                .get("/v1/certificates").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].identity", equalTo(key("web-1")))
                .body("items[0].kind", equalTo("pod-certificate"))
                .body("items[0].pod", equalTo("web-1"))
                .body("items[0].commonName", equalTo("web-1"))
                .body("items[0].namespace", equalTo(NS))
                .body("items[0].serviceAccount", equalTo(SA))
                .body("items[0].nodeName", equalTo("node-web-1"))
                .body("items[0].requestName", equalTo("web-1-r1"))
                .body("items[0].beginRefreshAt", equalTo(NOW.plus(Duration.ofHours(11)).toString()))
                .body("items[0].deadline", equalTo(NOW.plus(Duration.ofHours(11)).toString()))
                .body("items[0].status", equalTo("SCHEDULED"))
                .body("items[0].source", equalTo("PCR_OBSERVED"))
                .body("items[0].csrName", nullValue())
                .body("items[0].overdueSince", nullValue());
        given().queryParam("namespace", NS).queryParam("kind", "pod-certificate").get("/v1/certificates").then()
                .statusCode(200).body("items.pod", equalTo(List.of("web-0", "web-1")));
        given().queryParam("namespace", NS).queryParam("kind", "csr").get("/v1/certificates").then()
                .statusCode(200).body("items.serial", equalTo(List.of("75")))
                .body("items[0].kind", equalTo("csr")).body("items[0].pod", nullValue());
        given().queryParam("node", "node-web-0").get("/v1/certificates").then().statusCode(200)
                .body("items.pod", equalTo(List.of("web-0")));
        given().queryParam("pod", "web-9").get("/v1/certificates").then().statusCode(200).body("items", hasSize(0));
        given().queryParam("pod", "Web_0").get("/v1/certificates").then().statusCode(400)
                .body("error", containsString("pod must be a DNS subdomain"));
        given().queryParam("kind", "cert").get("/v1/certificates").then().statusCode(400)
                .body("error", equalTo("kind must be one of csr, pod-certificate; got 'cert'"));
    }

    @Test
    void reportsAnOverduePodCertificateWhosePodRuns() {
        given().get("/v1/certificates/" + key("web-0")).then().statusCode(200)
                .body("kind", equalTo("pod-certificate"))
                .body("status", equalTo("OVERDUE"))
                .body("overdueSince", equalTo(NOW.toString()))
                .body("podUid", equalTo(web0Uid))
                .body("nextNoticeAt", equalTo(NOW.plus(Duration.ofHours(1)).toString()))
                .body("notices", equalTo(0));
        given().queryParam("status", "overdue").queryParam("namespace", NS).get("/v1/certificates").then()
                .statusCode(200).body("items.pod", equalTo(List.of("web-0")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertEquals(1.0, metric(metrics, "csrflow_scheduler_pod_certificates_overdue", Map.of()), metrics);
            assertEquals(2.0, metric(metrics, "csrflow_scheduler_pod_certificates_tracked", Map.of()), metrics);
            assertEquals(1.0, metric(metrics, "csrflow_scheduler_pod_certificates",
                    Map.of("status", "overdue")), metrics);
            assertEquals(1.0, metric(metrics, "csrflow_scheduler_certificates_tracked", Map.of()),
                    "CSRs' certificates counted apart");
        });
    }

    @Test
    void dropsOverduePodCertificatesWhosePodIsGoneReplacedOrFinished() {
        // The seed waited for these three removals; each was tracked first, then looked up once.
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(6.0, metric(metrics, "csrflow_scheduler_sightings_total", Map.of("result", "tracked")),
                "five pods' certificates and one CSR's were tracked");
        assertEquals(1.0, metric(metrics, "csrflow_scheduler_pod_lookups_total", Map.of("result", "gone")));
        assertEquals(1.0, metric(metrics, "csrflow_scheduler_pod_lookups_total", Map.of("result", "replaced")));
        assertEquals(1.0, metric(metrics, "csrflow_scheduler_pod_lookups_total", Map.of("result", "finished")));
        for (String pod : List.of("gone-0", "web-2", "job-0")) {
            given().get("/v1/certificates/" + key(pod)).then().statusCode(404);
        }
    }

    @Test
    void summarisesPodCertificatesApartAndListsTheOverdueOnes() {
        given().queryParam("namespace", NS).get("/v1/fleet").then().statusCode(200)
                .body("total", equalTo(1))
                .body("podCertificates.total", equalTo(2))
                .body("podCertificates.overdue", equalTo(1))
                .body("podCertificates.byStatus.OVERDUE", equalTo(1))
                .body("podCertificates.byStatus.SCHEDULED", equalTo(1))
                .body("podCertificates.overdueCertificates.pod", equalTo(List.of("web-0")))
                .body("podCertificates.overdueCertificates[0].nodeName", equalTo("node-web-0"))
                .body("urgent", hasSize(0));
        given().queryParam("namespace", NS).queryParam("pod", "web-1").get("/v1/fleet").then().statusCode(200)
                .body("total", equalTo(0)).body("podCertificates.total", equalTo(1))
                .body("podCertificates.overdue", equalTo(0));
        given().queryParam("pod", "-web").get("/v1/fleet").then().statusCode(400)
                .body("error", containsString("pod must be a DNS subdomain"));
        String page = given().get("/fleet").then().statusCode(200).extract().asString();
        assertTrue(page.contains("name=\"pod\"") && page.contains("Pod certificates")
                && page.contains("podCertificates") && page.contains("<th>late by</th>"), "the page shows them");
    }

    private static double metric(String exposition, String name, Map<String, String> labels) {
        return PrometheusText.sum(exposition, name, labels);
    }

    private void send(EventSender sender, EventCodec codec, String pod, String podUid, String request,
            X509Certificate c, Instant beginRefreshAt) {
        sender.sendRecord(codec.encode(EventType.POD_CERTIFICATE_OBSERVED, TestCertificates.podCertificateIssued(
                SIGNER, NS, SA, pod, podUid, "node-" + pod, request, c, beginRefreshAt, c.getNotBefore().toInstant()))
                .toProducerRecord(podCertificatesTopic));
    }

    private static Pod createPod(KubernetesClient admin, String name) {
        return admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withServiceAccountName(SA).addNewContainer().withName("app")
                .withImage("example.com/app:1").endContainer().endSpec().build()).create();
    }

    /** A pod certificate of {@code pod}, valid a day from {@code notBefore}. */
    private static X509Certificate leaf(String pod, String serial, Instant notBefore) {
        return TestCertificates.workload("", List.of(pod + "." + NS + ".pod"), serial, notBefore,
                notBefore.plus(Duration.ofHours(24)));
    }

    private static String key(String pod) {
        return Identity.workload(SIGNER, NS, SA, pod).key();
    }
}
