package io.csrflow.scheduler.http;

import static io.csrflow.scheduler.PinnedClock.NOW;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.RenewalDue;
import io.csrflow.events.RenewalReason;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.scheduler.StateDirTestResource;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The running service end to end: certificates in on cert.issued, answers over HTTP, renewal
 * events out, metrics, and identities of deleted Nodes gone. The clock is pinned at {@code NOW}.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(StateDirTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class, initArgs = @ResourceArg(name = "token",
        value = "rotation-scheduler-token"))
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerApiTest {
    static final String CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    static final String SERVING = "kubernetes.io/kubelet-serving";
    static final String CUSTOM = "example.com/api-test";
    static final String WORKLOAD = "csrflow.io/workload-serving";

    @InjectKubeEmulator
    KubeEmulator emulator;

    EventProbe<RenewalDue> renewals;

    /** Once per class; in @BeforeEach because REST Assured learns the test port only then. */
    @BeforeEach
    void seed() {
        if (renewals != null) {
            return;
        }
        renewals = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.RENEWAL_DUE);
        try (EventSender sender = new EventSender(KafkaBrokers.shared(), "/test")) {
            sender.send(EventType.CERT_ISSUED, cert(CLIENT, "system:node:api-a", "a1", days(-1), days(29)));
            sender.send(EventType.CERT_ISSUED, cert(SERVING, "system:node:api-b", "b1", days(-9), days(1)));
            sender.send(EventType.CERT_ISSUED, cert(CLIENT, "system:node:api-c", "c1", days(-20), days(-1)));
            sender.send(EventType.CERT_ISSUED, cert(CUSTOM, "user-1", "d1", days(-1), days(1)));
            sender.send(EventType.CERT_ISSUED, cert(CUSTOM, "user-2", "d2", days(-1), days(5)));
            sender.send(EventType.CERT_ISSUED, cert(CUSTOM, "user-3", "d3", days(-1), days(3)));
            // One service name in two namespaces, and a second ServiceAccount in one of them.
            sender.send(EventType.CERT_ISSUED, cert(Identity.workload(WORKLOAD, "team-a", "default", "web.shop.svc"),
                    "f1", days(-1), days(29)));
            sender.send(EventType.CERT_ISSUED, cert(Identity.workload(WORKLOAD, "team-b", "default", "web.shop.svc"),
                    "f2", days(-1), days(29)));
            sender.send(EventType.CERT_ISSUED, cert(Identity.workload(WORKLOAD, "team-b", "builder", "ci.team-b.svc"),
                    "f3", days(-29), days(1)));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().queryParam("signer", CUSTOM)
                .get("/v1/certificates").then().statusCode(200).body("items", hasSize(3)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().queryParam("signer", WORKLOAD)
                .get("/v1/certificates").then().statusCode(200).body("items", hasSize(3)));
    }

    @Test
    void listsPagesInIdentityOrder() {
        String next = given().queryParam("signer", CUSTOM).queryParam("limit", 2).get("/v1/certificates").then()
                .statusCode(200)
                .body("items.commonName", equalTo(List.of("user-1", "user-2")))
                .body("next", equalTo(CUSTOM + "|user-2"))
                .extract().path("next");
        given().queryParam("signer", CUSTOM).queryParam("limit", 2).queryParam("after", next)
                .get("/v1/certificates").then().statusCode(200)
                .body("items.commonName", equalTo(List.of("user-3")))
                .body("next", nullValue());
    }

    @Test
    void filtersBySignerNodeExpiryAndStatus() {
        given().queryParam("node", "api-b").get("/v1/certificates").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].signerName", equalTo(SERVING))
                .body("items[0].serial", equalTo("b1"));
        given().queryParam("signer", CUSTOM).queryParam("expiringWithin", "72h").get("/v1/certificates").then()
                .statusCode(200).body("items.commonName", equalTo(List.of("user-1")));
        given().queryParam("signer", CUSTOM).queryParam("expiringWithin", "P4D").get("/v1/certificates").then()
                .statusCode(200).body("items.commonName", equalTo(List.of("user-1", "user-3")));
        given().queryParam("status", "expired").get("/v1/certificates").then().statusCode(200)
                .body("items.identity", hasItem(CLIENT + "|system:node:api-c"))
                .body("items.status", not(hasItem("SCHEDULED")));
    }

    @Test
    void filtersWorkloadCertificatesByNamespaceAndServiceAccount() {
        given().queryParam("namespace", "team-b").get("/v1/certificates").then().statusCode(200)
                .body("items.identity", equalTo(List.of(WORKLOAD + "@team-b/builder|ci.team-b.svc",
                        WORKLOAD + "@team-b/default|web.shop.svc")))
                .body("items.namespace", equalTo(List.of("team-b", "team-b")))
                .body("items.serviceAccount", equalTo(List.of("builder", "default")))
                .body("items.nodeName", equalTo(java.util.Arrays.asList(null, null)));
        given().queryParam("namespace", "team-b").queryParam("serviceAccount", "default").get("/v1/certificates")
                .then().statusCode(200).body("items.serial", equalTo(List.of("f2")));
        given().queryParam("serviceAccount", "default").get("/v1/certificates").then().statusCode(200)
                .body("items.serial", equalTo(List.of("f1", "f2")));
        given().queryParam("namespace", "team-a").queryParam("expiringWithin", "7d").get("/v1/certificates").then()
                .statusCode(200).body("items", hasSize(0));
        given().queryParam("namespace", "nobody").get("/v1/certificates").then().statusCode(200)
                .body("items", hasSize(0));
    }

    @Test
    void showsOneWorkloadIdentity() {
        given().get("/v1/certificates/" + WORKLOAD + "@team-a/default|web.shop.svc").then().statusCode(200)
                .body("serial", equalTo("f1"))
                .body("signerName", equalTo(WORKLOAD))
                .body("commonName", equalTo("web.shop.svc"))
                .body("namespace", equalTo("team-a"))
                .body("serviceAccount", equalTo("default"))
                .body("nodeName", nullValue());
        given().get("/v1/certificates/" + WORKLOAD + "@team-c/default|web.shop.svc").then().statusCode(404);
    }

    @Test
    void summarisesTheWorkloadsOfANamespace() {
        given().queryParam("namespace", "team-b").get("/v1/fleet").then().statusCode(200)
                .body("total", equalTo(2))
                .body("urgent.identity", equalTo(List.of(WORKLOAD + "@team-b/builder|ci.team-b.svc")))
                .body("urgent[0].serviceAccount", equalTo("builder"));
        given().queryParam("namespace", "team-b").queryParam("serviceAccount", "default").get("/v1/fleet").then()
                .statusCode(200).body("total", equalTo(1)).body("urgent", hasSize(0));
        String page = given().get("/fleet").then().statusCode(200).extract().asString();
        assertTrue(page.contains("name=\"namespace\"") && page.contains("name=\"serviceAccount\"")
                && page.contains("<th>service account</th>"), "the page filters and shows both");
    }

    @Test
    void answersBadWorkloadFiltersWithWhatIsWrong() {
        given().queryParam("namespace", "Team_A").get("/v1/certificates").then().statusCode(400)
                .body("error", equalTo("namespace must be a DNS label (lower-case letters, digits and '-', at most 63 "
                        + "characters), got 'Team_A'"));
        given().queryParam("serviceAccount", "ci/bot").get("/v1/certificates").then().statusCode(400)
                .body("error", containsString("serviceAccount must be a DNS subdomain"));
        given().queryParam("namespace", "a.b").get("/v1/fleet").then().statusCode(400)
                .body("error", containsString("namespace must be a DNS label"));
        given().get("/v1/certificates/" + WORKLOAD + "@team-a|web").then().statusCode(400)
                .body("error", containsString("signerName@namespace/serviceAccount|name"));
    }

    @Test
    void showsOneIdentityWithItsDeadline() {
        given().get("/v1/certificates/" + CLIENT + "|system:node:api-a").then().statusCode(200)
                .body("nodeName", equalTo("api-a"))
                .body("serial", equalTo("a1"))
                .body("status", equalTo("SCHEDULED"))
                .body("notices", equalTo(0))
                .body("source", equalTo("CERT_ISSUED"))
                .body("deadline", equalTo(new io.csrflow.scheduler.inventory.DeadlinePolicy.KubeletJitter()
                        .deadline("a1", days(-1), days(29)).toString()));
        given().get("/v1/certificates/" + CLIENT + "|system:node:nobody").then().statusCode(404)
                .body("error", containsString("system:node:nobody"));
    }

    @Test
    void answersBadQueriesWithWhatIsWrong() {
        given().get("/v1/certificates/no-separator").then().statusCode(400)
                .body("error", containsString("signerName|commonName"));
        given().queryParam("limit", 0).get("/v1/certificates").then().statusCode(400)
                .body("error", containsString("limit must be a whole number from 1 to 1000"));
        given().queryParam("expiringWithin", "soon").get("/v1/certificates").then().statusCode(400)
                .body("error", containsString("expiringWithin must be a duration"));
        given().queryParam("status", "late").get("/v1/certificates").then().statusCode(400)
                .body("error", containsString("status must be one of"));
        given().queryParam("scope", "everywhere").get("/v1/fleet").then().statusCode(400)
                .body("error", containsString("scope must be"));
    }

    @Test
    void sendsTheNoticesThatAreDueNow() {
        // Once, on a CI machine loaded by a parallel build, these notices were not seen within
        // 30 s although the EXPIRED counter had moved; the cause is not known. The wait is longer;
        // a notice that never comes, or comes twice, still fails.
        await().atMost(Duration.ofSeconds(90)).until(() -> renewals.matching(r -> r.identity().commonName()
                .equals("system:node:api-c")).size() == 1
                && renewals.matching(r -> r.identity().commonName().equals("system:node:api-b")).size() == 1);
        RenewalDue expired = renewals.matching(r -> r.identity().commonName().equals("system:node:api-c")).get(0);
        assertEquals(RenewalReason.EXPIRED, expired.reason());
        RenewalDue due = renewals.matching(r -> r.identity().commonName().equals("system:node:api-b")).get(0);
        assertEquals(RenewalReason.DUE, due.reason());
        assertEquals(new Identity(SERVING, "system:node:api-b"), due.identity());
        assertTrue(renewals.matching(r -> r.identity().commonName().equals("system:node:api-a")).isEmpty());
    }

    @Test
    void summarisesTheFleetAndDrawsItOffline() {
        given().get("/v1/fleet").then().statusCode(200)
                .body("expiringPerDay", hasSize(30))
                .body("expiringPerWeek", hasSize(12))
                .body("byStatus.EXPIRED", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("urgent.identity", hasItem(CLIENT + "|system:node:api-c"))
                .body("incomplete", hasSize(0));
        String page = given().get("/fleet").then().statusCode(200).contentType(ContentType.HTML).extract().asString();
        assertTrue(page.contains("v1/fleet") && page.contains("createElementNS"), "the page draws its own chart");
        assertTrue(!page.contains("src=\"http") && !page.contains("href=\"http"), "nothing loaded from elsewhere");
    }

    @Test
    void exportsInventoryMetrics() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("csrflow_scheduler_certificates{status=\"expired\"}"), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("csrflow_scheduler_certificates_tracked ")
                    && Double.parseDouble(l.split(" ")[1]) >= 6), "tracked gauge");
            assertTrue(metrics.contains("csrflow_scheduler_renewal_events_total{reason=\"EXPIRED\"}"), "events");
            assertTrue(metrics.contains("csrflow_scheduler_soonest_expiry_seconds"), "soonest expiry");
        });
    }

    @Test
    void aDeletedNodesIdentitiesAreNoLongerTracked() {
        try (KubernetesClient admin = emulator.client("admin-token");
                EventSender sender = new EventSender(KafkaBrokers.shared(), "/test")) {
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("api-n1").endMetadata().build())
                    .create();
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("api-n2").endMetadata().build())
                    .create();
            sender.send(EventType.CERT_ISSUED, cert(CLIENT, "system:node:api-n1", "e1", days(-1), days(29)));
            sender.send(EventType.CERT_ISSUED, cert(SERVING, "system:node:api-n1", "e2", days(-1), days(29)));
            sender.send(EventType.CERT_ISSUED, cert(CLIENT, "system:node:api-n2", "e3", days(-1), days(29)));
            // A Node that went away while no scheduler watched: its certificate, seen a day ago, is swept.
            sender.send(EventType.CERT_ISSUED, issuedAt(cert(CLIENT, "system:node:api-gone", "e4", days(-1),
                    days(29)), days(-1)));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("node", "api-n1")
                    .get("/v1/certificates").then().body("items", hasSize(2)));
            given().queryParam("node", "api-n2").get("/v1/certificates").then().body("items", hasSize(1));

            admin.nodes().withName("api-n1").delete();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("node", "api-n1")
                    .get("/v1/certificates").then().body("items", hasSize(0)));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().queryParam("node", "api-gone")
                    .get("/v1/certificates").then().body("items", hasSize(0)));
            given().queryParam("node", "api-n2").get("/v1/certificates").then().body("items", hasSize(1));
            // Certificates seen just now keep their grace period although no Node exists for them yet.
            given().queryParam("node", "api-a").get("/v1/certificates").then().body("items", hasSize(1));
        }
    }

    static Instant days(int n) {
        return NOW.plus(Duration.ofDays(n));
    }

    static CertIssued cert(String signer, String cn, String serial, Instant notBefore, Instant notAfter) {
        return cert(new Identity(signer, cn), serial, notBefore, notAfter);
    }

    static CertIssued cert(Identity identity, String serial, Instant notBefore, Instant notAfter) {
        String cn = identity.commonName();
        return new CertIssued(identity, "csr-" + serial, "uid-" + serial, "CN=" + cn, List.of(),
                List.of(), serial, notBefore, notAfter, "00", "CN=test-ca", "-----BEGIN CERTIFICATE-----", NOW);
    }

    static CertIssued issuedAt(CertIssued c, Instant at) {
        return new CertIssued(c.identity(), c.csrName(), c.csrUid(), c.subject(), c.dnsNames(), c.ipAddresses(),
                c.serial(), c.notBefore(), c.notAfter(), c.sha256Fingerprint(), c.issuer(), c.certificate(), at);
    }
}
