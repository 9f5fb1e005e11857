package io.csrflow.approver;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.EventType;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.HostileCsrs;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.PrometheusText;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The hostile corpus against the running approver: each CSR is created through the API by a real
 * caller (a bootstrap token, a Node), its snapshot published as the watcher publishes it, and the
 * answer read back where a user reads it: the API's refusal, the Denied condition on the CSR, the
 * decision event, the decision metrics. The service stays ready throughout.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "approver-token"))
class HostileCsrCorpusTest {
    private static final String NODE_TOKEN = "corpus-node-token";

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void everyHostileCsrGetsItsSpecificAnswerAndTheApproverStaysUp() {
        List<HostileCsrs.Case> corpus = HostileCsrs.all();
        assertTrue(corpus.size() >= 50, corpus.size() + " cases");
        emulator.addUser(new EmulatorConfig.User(NODE_TOKEN, "system:node:" + HostileCsrs.NODE, null,
                List.of("system:nodes"), null));
        List<String> wrong = new ArrayList<>();
        Map<String, HostileCsrs.Case> judged = new TreeMap<>();
        try (KubernetesClient admin = emulator.client("admin-token");
                EventProbe<CsrDecision> decisions = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_DECISION);
                EventSender watcher = new EventSender(KafkaBrokers.shared(), "/test/watcher")) {
            node(admin, HostileCsrs.NODE, HostileCsrs.NODE_IP, HostileCsrs.NODE_CLAIMS);
            node(admin, HostileCsrs.OTHER_NODE, HostileCsrs.OTHER_NODE_IP, List.of("InternalIP=" + HostileCsrs.SHARED_IP));
            addAfterTheSettleTime(admin, HostileCsrs.NODE, HostileCsrs.JUST_ADDED_IP);
            for (HostileCsrs.Case c : corpus) {
                String token = c.caller() == HostileCsrs.Caller.NODE ? NODE_TOKEN : "bootstrap-token";
                CertificateSigningRequest created;
                try {
                    created = CsrSubmitter.submit(emulator, token, c.name(), c.signer(), c.usages(), c.request(), null);
                } catch (KubernetesClientException e) {
                    if (c.outcome() != HostileCsrs.Outcome.API_REFUSES || e.getCode() != 422
                            || !e.getMessage().contains(c.expected())) {
                        wrong.add(c.id() + ": the API refused it: " + e.getCode() + " " + e.getMessage());
                    }
                    continue;
                }
                if (c.outcome() == HostileCsrs.Outcome.API_REFUSES) {
                    wrong.add(c.id() + ": the API accepted it, expected a refusal about " + c.expected());
                    continue;
                }
                judged.put(c.name(), c);
                watcher.send(EventType.CSR_OBSERVED, CsrSnapshots.of(created, false, Clock.systemUTC().instant()));
            }
            try {
                await().atMost(Duration.ofMinutes(1)).until(() -> judged.keySet().stream()
                        .allMatch(name -> !decisions.matching(d -> d.csrName().equals(name)).isEmpty()));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // reported per case below
            }
            for (HostileCsrs.Case c : judged.values()) {
                List<CsrDecision> made = decisions.matching(d -> d.csrName().equals(c.name()));
                if (made.isEmpty()) {
                    wrong.add(c.id() + ": no decision");
                    continue;
                }
                // The first decision: one that is asked again (an address too new) may pass later.
                CsrDecision decision = made.get(0);
                if (!decision.outcome().name().equals(c.outcome().name()) || !decision.reason().equals(c.expected())) {
                    wrong.add(c.id() + ": expected " + c.outcome() + " " + c.expected() + ", decided "
                            + decision.outcome() + " " + decision.reason() + " (" + decision.message() + ")");
                    continue;
                }
                checkCondition(admin, c, decision, wrong);
            }
        }
        assertEquals(List.of(), wrong, String.join("\n", wrong));
        checkMetrics(judged);
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** Denied: one condition with the decision's reason and message; no opinion: none. */
    private static void checkCondition(KubernetesClient admin, HostileCsrs.Case c, CsrDecision decision,
            List<String> wrong) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(c.name()).get();
        List<CertificateSigningRequestCondition> conditions = csr.getStatus() == null
                || csr.getStatus().getConditions() == null ? List.of() : csr.getStatus().getConditions();
        if (c.outcome() == HostileCsrs.Outcome.NO_OPINION) {
            if (!conditions.isEmpty() && !c.expected().equals("SANAddressTooNew")) {
                wrong.add(c.id() + ": left to others, yet has conditions " + conditions);
            }
            return;
        }
        if (conditions.size() != 1 || !conditions.get(0).getType().equals("Denied")
                || !conditions.get(0).getReason().equals(c.expected())
                || !conditions.get(0).getMessage().equals(decision.message())) {
            wrong.add(c.id() + ": conditions " + conditions);
        }
        if (conditions.stream().anyMatch(condition -> condition.getMessage().chars().anyMatch(ch -> ch < 0x20))) {
            wrong.add(c.id() + ": a control character reached the condition message");
        }
    }

    /** Every denial is counted under its reason. */
    private static void checkMetrics(Map<String, HostileCsrs.Case> judged) {
        Map<String, Integer> denied = new TreeMap<>();
        judged.values().stream().filter(c -> c.outcome() == HostileCsrs.Outcome.DENIED)
                .forEach(c -> denied.merge(c.expected(), 1, Integer::sum));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        denied.forEach((reason, count) -> {
            double counted = PrometheusText.sum(metrics, "csrflow_approver_decisions_total",
                    Map.of("outcome", "DENIED", "reason", reason));
            assertTrue(counted >= count, reason + ": " + count + " denied, " + counted + " counted in\n"
                    + metrics.lines().filter(l -> l.startsWith("csrflow_approver_decisions_total"))
                            .collect(java.util.stream.Collectors.joining("\n")));
        });
    }

    private static void node(KubernetesClient admin, String name, String ip, List<String> claims) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus();
        for (String claim : claims) {
            node.editStatus().addNewAddress().withType(claim.substring(0, claim.indexOf('=')))
                    .withAddress(claim.substring(claim.indexOf('=') + 1)).endAddress().endStatus();
        }
        admin.nodes().resource(node.build()).create();
    }

    /** The Node lists one more address once it is older than the settle time (4 s in tests): a change. */
    private static void addAfterTheSettleTime(KubernetesClient admin, String name, String ip) {
        try {
            Thread.sleep(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.fabric8.kubernetes.api.model.Node registered = admin.nodes().withName(name).get();
        registered.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP"));
        admin.nodes().resource(registered).updateStatus();
    }
}
