package io.csrflow.scheduler.http;

import static io.csrflow.scheduler.PinnedClock.NOW;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.scheduler.StateDirTestResource;
import io.csrflow.scheduler.streams.TestCertificates;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.PrometheusText;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The service with a trust bundle directory configured but empty, as the optional ConfigMap volume
 * is before the signer has published: not ready, saying why, and believing no certificate of
 * csrflow's signers; ready without a restart once the bundle is there, and then only the genuine
 * certificate is tracked.
 */
@QuarkusTest
@TestProfile(TrustBundleReadinessTest.EmptyTrustBundle.class)
class TrustBundleReadinessTest {
    static final String IDENTITY = TestCertificates.CLIENT + "|system:node:trust-a";

    public static class EmptyTrustBundle implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(StateDirTestResource.class), new TestResourceEntry(Topics.class));
        }
    }

    /** An empty trust bundle directory, and topics and a consumer group of this test's own. */
    public static class Topics implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            List<String> topics = List.of("trust-issued-" + suffix, "trust-observed-" + suffix,
                    "trust-renewal-due-" + suffix, "trust-pcr-observed-" + suffix);
            KafkaBrokers.createTopics(KafkaBrokers.shared(), 3, topics);
            try {
                return Map.of("csrflow.scheduler.trust-bundle-dir",
                        Files.createTempDirectory("csrflow-ca-bundles").toString(),
                        "csrflow.topics.issued", topics.get(0),
                        "csrflow.topics.observed", topics.get(1),
                        "csrflow.topics.renewal-due", topics.get(2),
                        "csrflow.topics.pod-certificates-observed", topics.get(3),
                        "csrflow.scheduler.application-id", "trust-readiness-" + suffix,
                        "csrflow.scheduler.nodes.watch", "false");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            // the topics go with the test broker, the directory with the machine's temp cleanup
        }
    }

    @ConfigProperty(name = "csrflow.scheduler.trust-bundle-dir")
    Path bundle;

    @ConfigProperty(name = "csrflow.topics.issued")
    String issuedTopic;

    @ConfigProperty(name = "csrflow.topics.observed")
    String observedTopic;

    @Test
    void notReadyAndBelievingNothingWhileTheBundleIsEmptyThenReadyWithoutARestartOnceItIsThere() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503)
                .body("checks.find { it.name == 'inventory' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'inventory' }.data.trustBundle",
                        containsString(bundle + " holds no readable CA certificate")));

        // A forged "newer" certificate for the node, then its genuine one.
        CertIssued forged = TestCertificates.issued(TestCertificates.CLIENT, TestCertificates.forged(
                "system:node:trust-a", "0200", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(29))),
                "csr-forged", NOW);
        X509Certificate genuineCertificate = TestCertificates.certificate("system:node:trust-a", "0100",
                NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(28)));
        CertIssued genuine = TestCertificates.issued(TestCertificates.CLIENT, genuineCertificate, "csr-genuine", NOW);
        EventCodec codec = new EventCodec("/test", Clock.systemUTC());
        try (EventSender sender = new EventSender(KafkaBrokers.shared(), "/test")) {
            sender.sendRecord(codec.encode(EventType.CERT_ISSUED, forged).toProducerRecord(issuedTopic));
            sender.sendRecord(codec.encode(EventType.CERT_ISSUED, genuine).toProducerRecord(issuedTopic));
        }
        // Not tracked: no answer for the identity (404), or none at all while the inventory is not readable (503).
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            given().get("/v1/certificates/" + IDENTITY).then().statusCode(in(List.of(404, 503)));
            given().get("/q/health/ready").then().statusCode(503);
        });

        TestCertificates.writeTrustBundle(bundle);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'inventory' }.data.trustBundle",
                        containsString(TestCertificates.CLIENT_BUNDLE_FILE)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/certificates/" + IDENTITY)
                .then().statusCode(200).body("serial", equalTo("100")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(1.0,
                metric("csrflow_scheduler_rejected_total", Map.of("topic", "cert-issued"))));

        // The same certificate on the CSR's Issued snapshot: believed again without a second verification.
        try (EventSender sender = new EventSender(KafkaBrokers.shared(), "/test")) {
            sender.sendRecord(codec.encode(EventType.CSR_OBSERVED, TestCertificates.observedIssued(
                    TestCertificates.CLIENT, "csr-genuine", genuineCertificate, NOW)).toProducerRecord(observedTopic));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertEquals(1.0, metric("csrflow_scheduler_trust_signatures_total", Map.of("check", "verified")));
            // At least once: a replaced stream thread would read the snapshot again from its last commit.
            assertTrue(metric("csrflow_scheduler_trust_signatures_total", Map.of("check", "remembered")) >= 1.0);
        });
    }

    /** What a scrape of /q/metrics sums for the metric's samples with these labels (0 if none). */
    private static double metric(String name, Map<String, String> labels) {
        return PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(), name, labels);
    }
}
