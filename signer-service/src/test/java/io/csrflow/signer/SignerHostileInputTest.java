package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.HostileCsrs;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.PrometheusText;
import io.csrflow.testsupport.TestCsrs;
import io.csrflow.testsupport.TopicReader;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The signer facing input it should never have to handle: records that are not events, and every
 * hostile CSR of the corpus approved by a careless approver (an administrator, another
 * controller). The signer re-checks what it signs, so each is Failed with the specific reason in
 * its message, or signed where approving was the only check the request needed.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CaFilesResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "signer-token"))
class SignerHostileInputTest {
    private static final String DLQ = io.csrflow.events.Topics.SIGNER_DEAD_LETTER;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NODE_TOKEN = "signer-corpus-node-token";
    /** Decided by what only the approver knows (Node addresses, who asked): a signer signs them once approved. */
    private static final Set<String> APPROVAL_ONLY = Set.of("SANNotANodeAddress", "SANReserved",
            "SANOwnedByAnotherNode", "SANAddressTooNew", "NotAuthorized");
    /** Reasons of the kubelet and apiserver-client rules: the signer names the rule that failed. */
    private static final Set<String> SIGNER_RULES = Set.of("InvalidServingRequest", "NotRecognized");

    @InjectKubeEmulator
    KubeEmulator emulator;

    @BeforeAll
    static void topics() {
        KafkaBrokers.createTopics(KafkaBrokers.shared(), 1, List.of(DLQ));
    }

    @Test
    void recordsThatAreNotEventsGoToTheDeadLetterTopicWithTheReasonAndSigningGoesOn() throws Exception {
        try (EventSender sender = new EventSender(KafkaBrokers.shared(), "/test/junk");
                KubernetesClient admin = emulator.client("admin-token")) {
            sender.sendRaw(EventType.CSR_DECISION.defaultTopic(), "junk-decision", "{not an event".getBytes());
            sender.sendRaw(EventType.CSR_OBSERVED.defaultTopic(), "junk-observed", new byte[] {0, 1, 2, (byte) 0xff});

            Map<String, ConsumerRecord<String, byte[]>> dead = new HashMap<>();
            try (KafkaConsumer<String, byte[]> dlq = TopicReader.fromBeginning(KafkaBrokers.shared(), DLQ)) {
                await().atMost(WAIT).until(() -> {
                    dlq.poll(Duration.ofMillis(300)).forEach(r -> dead.put(r.key(), r));
                    return dead.containsKey("junk-decision") && dead.containsKey("junk-observed");
                });
            }
            assertEquals(EventType.CSR_DECISION.defaultTopic(), header(dead.get("junk-decision"), "dead-letter-topic"));
            assertEquals(EventType.CSR_OBSERVED.defaultTopic(), header(dead.get("junk-observed"), "dead-letter-topic"));
            assertTrue(!header(dead.get("junk-decision"), "dead-letter-reason").isBlank());

            emulator.addUser(new EmulatorConfig.User("node-j1-token", "system:node:j1", null, List.of("system:nodes"),
                    null));
            CsrSubmitter.submit(emulator, "node-j1-token", "after-junk", HostileCsrs.SERVING_SIGNER,
                    HostileCsrs.SERVING, TestCsrs.kubelet("j1").dnsNames("j1").pem(), null);
            decide(sender, approve(admin, "after-junk"));
            await().atMost(WAIT).until(() -> certificate(admin, "after-junk") != null);
        }
        assertTrue(metrics().contains("csrflow_signer_records_malformed_total"), "malformed records are counted");
    }

    @Test
    void everyHostileCsrApprovedAnywayIsFailedWithItsReasonOrSignedIfApprovalWasItsOnlyCheck() {
        emulator.addUser(new EmulatorConfig.User(NODE_TOKEN, "system:node:" + HostileCsrs.NODE, null,
                List.of("system:nodes"), null));
        List<HostileCsrs.Case> accepted = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> failedByCheck = new TreeMap<>();
        String metricsBefore = metrics();
        try (KubernetesClient admin = emulator.client("admin-token");
                EventSender approver = new EventSender(KafkaBrokers.shared(), "/test/careless-approver")) {
            for (HostileCsrs.Case c : HostileCsrs.all()) {
                String token = c.caller() == HostileCsrs.Caller.NODE ? NODE_TOKEN : "bootstrap-token";
                try {
                    CsrSubmitter.submit(emulator, token, c.name(), c.signer(), c.usages(), c.request(), null);
                } catch (KubernetesClientException refusedByTheApi) {
                    continue;
                }
                accepted.add(c);
                decide(approver, approve(admin, c.name()));
            }
            await().atMost(WAIT).until(() -> accepted.stream().allMatch(c -> settled(admin, c.name())));
            for (HostileCsrs.Case c : accepted) {
                CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests()
                        .withName(c.name()).get();
                List<CertificateSigningRequestCondition> conditions = csr.getStatus().getConditions();
                CertificateSigningRequestCondition last = conditions.get(conditions.size() - 1);
                if (APPROVAL_ONLY.contains(c.expected())) {
                    if (certificate(admin, c.name()) == null) {
                        wrong.add(c.id() + ": approved and valid for its signer, yet " + conditions);
                    }
                    continue;
                }
                boolean signerRule = SIGNER_RULES.contains(c.expected());
                failedByCheck.merge(signerRule ? "" : c.expected(), 1, Integer::sum);
                String expectedStart = signerRule ? "invalid " : c.expected() + ": ";
                if (!last.getType().equals("Failed") || !last.getReason().equals("SignerValidationFailure")
                        || !last.getMessage().startsWith(expectedStart) || certificate(admin, c.name()) != null) {
                    wrong.add(c.id() + ": expected Failed \"" + expectedStart + "...\", got " + conditions);
                }
            }
        }
        assertEquals(List.of(), wrong, String.join("\n", wrong));
        assertTrue(accepted.size() >= 40, accepted.size() + " reached the signer");
        checkFailuresAreCountedByCheck(metricsBefore, metrics(), failedByCheck);
        given().get("/q/health/ready").then().statusCode(200);
    }

    /**
     * Each failure is counted under the check that failed: the rejection reason itself, or for a
     * signer-name rule (key "") some {@code recognizer/check}; and all of them as SignerValidationFailure.
     */
    private static void checkFailuresAreCountedByCheck(String before, String after, Map<String, Integer> expected) {
        String metric = "csrflow_signer_validation_failures_total";
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        expected.forEach((check, count) -> {
            if (!check.isEmpty()) {
                assertEquals(count, delta(before, after, metric, Map.of("check", check)), 0.0, check);
            }
        });
        assertEquals(total, delta(before, after, metric, Map.of()), 0.0, "all validation failures");
        assertEquals(total, delta(before, after, "csrflow_signer_failures_total",
                Map.of("reason", "SignerValidationFailure")), 0.0, "as SignerValidationFailure");
        assertTrue(after.lines().anyMatch(l -> l.startsWith(metric) && l.contains("check=\"kubelet-serving/")),
                "a serving rule is named as recognizer/check");
    }

    private static double delta(String before, String after, String metric, Map<String, String> labels) {
        return PrometheusText.sum(after, metric, labels) - PrometheusText.sum(before, metric, labels);
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static boolean settled(KubernetesClient admin, String name) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
        return certificate(admin, name) != null || csr.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Failed"));
    }

    private static CertificateSigningRequest approve(KubernetesClient admin, String name) {
        return CsrSubmitter.approve(admin, name, "ApprovedByHand", "approved without looking");
    }

    private static void decide(EventSender sender, CertificateSigningRequest csr) {
        sender.send(EventType.CSR_DECISION, new CsrDecision(csr.getMetadata().getName(), csr.getMetadata().getUid(),
                csr.getMetadata().getResourceVersion(), csr.getSpec().getSignerName(), DecisionOutcome.APPROVED,
                "careless", "ApprovedByHand", "approved without looking", List.of(), "v0", Instant.now()));
    }

    private static String certificate(KubernetesClient admin, String name) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
        String certificate = csr.getStatus() == null ? null : csr.getStatus().getCertificate();
        return certificate == null || certificate.isEmpty() ? null : certificate;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
