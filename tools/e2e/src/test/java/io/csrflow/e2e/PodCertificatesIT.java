package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.testsupport.JavaProcess;

/**
 * Pod certificates end to end on {@code ./csrflow up}: simulated kubelets ask, as their nodes, for
 * their pods' {@code podCertificate} volumes through PodCertificateRequests; the emulator enforces the
 * API's rules (NodeRestriction, the proof of possession, the status rules); csrflow's signer answers;
 * the kubelets verify the chain against the signer's ClusterTrustBundle and refresh with a new key.
 * The refresh comes 20 s after issue (the fleet's test knob), not at beginRefreshAt, which the API keeps
 * at least ten minutes after notBefore. Checked from outside: the fleet's /status, kubectl, openssl,
 * the pcr.observed topic and the rotation-scheduler's inventory.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodCertificatesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PODS = 6;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    static Path dir;
    static LocalStack stack;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack(dir, "pod-certificates-stack", Map.of(
                "CSRFLOW_FLEET_POD_CERTIFICATE_REFRESH_AFTER", "20s"));
        stack.up("--nodes", "3", "--workloads", "0", "--pod-certificates", Integer.toString(PODS));
    }

    @AfterAll
    static void down() throws Exception {
        stack.down();
    }

    @Test
    @Order(1)
    void wellBehavedPodsAreIssuedTrustedAndRefreshedWithANewKey() {
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<JsonNode> good = pods(false);
            assertEquals(PODS - 3, good.size(), good.toString());
            for (JsonNode pod : good) {
                assertTrue(pod.path("refreshed").asInt() >= 1, "refreshed at least once: " + pod);
                assertTrue(pod.path("trusted").asBoolean(), "the chain validates against the bundle: " + pod);
                assertEquals(0, pod.path("verificationFailures").asInt(), pod.toString());
                assertEquals(0, pod.path("refusedByApi").asInt() + pod.path("denied").asInt(), pod.toString());
            }
        });
    }

    @Test
    @Order(2)
    void misbehavingKubeletsAreRefusedByTheApiOrDeniedByCsrflow() throws Exception {
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() -> {
            List<JsonNode> bad = pods(true);
            assertEquals(3, bad.size(), bad.toString());
            bad.forEach(pod -> assertEquals("REFUSED", pod.path("phase").asText(), pod.toString()));
        });
        Map<String, JsonNode> byExpected = new TreeMap<>();
        pods(true).forEach(pod -> byExpected.put(pod.path("expectedRefusal").asText(), pod));
        JsonNode otherNode = byExpected.get("403");
        assertEquals("403", otherNode.path("refusal").path("code").asText(), otherNode.toString());
        assertTrue(otherNode.path("refusal").path("message").asText().contains("is not running on node"),
                otherNode.toString());
        JsonNode badProof = byExpected.get("422");
        assertTrue(badProof.path("refusal").path("message").asText().contains(
                "could not verify proof-of-possession signature"), badProof.toString());
        JsonNode keyType = byExpected.entrySet().stream().filter(e -> e.getKey().startsWith("Denied"))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError(byExpected.toString()));
        assertEquals("UnsupportedKeyType", keyType.path("refusal").path("reason").asText(), keyType.toString());
        assertTrue(keyType.path("refusal").path("message").asText().contains("key type ED25519 is not issued"),
                keyType.toString());
        JsonNode summary = fleetStatus().path("podCertificatesSummary");
        assertEquals(0, summary.path("notRefused").asInt(), summary.toString());
        assertEquals(0, summary.path("verificationFailures").asInt(), summary.toString());
    }

    @Test
    @Order(3)
    void kubectlAndOpensslSeeTheIssuedRequestsAndTheirChains() {
        String table = stack.kubectl("get", "podcertificaterequests", "-n", "sim-pods");
        assertTrue(table.contains("SIGNERNAME") && table.contains("csrflow.io/workload-serving"), table);
        assertTrue(table.contains("Issued") && table.contains("Denied"), table);
        String issued = stack.kubectl("get", "podcertificaterequests", "-n", "sim-pods", "-o",
                "jsonpath={range .items[?(@.status.certificateChain)]}{.metadata.name}{\"\\n\"}{end}").trim();
        String name = issued.lines().findFirst().orElseThrow(() -> new AssertionError("none issued"));
        sh("kubectl --kubeconfig " + stack.kubeconfig + " --cache-dir kube-cache get podcertificaterequest " + name
                + " -n sim-pods -o jsonpath='{.status.certificateChain}' > chain.pem");
        sh("kubectl --kubeconfig " + stack.kubeconfig + " --cache-dir kube-cache get clustertrustbundles "
                + "csrflow.io:workload-serving:bundle -o jsonpath='{.spec.trustBundle}' > bundle.pem");
        assertTrue(sh("openssl verify -CAfile bundle.pem chain.pem").contains("chain.pem: OK"));
        String text = sh("openssl x509 -in chain.pem -noout -ext subjectAltName");
        assertTrue(text.matches("(?s).*URI:spiffe://cluster\\.local/ns/sim-pods/sa/pod-sa-\\d+.*"), text);
        String times = stack.kubectl("get", "podcertificaterequest", name, "-n", "sim-pods", "-o",
                "jsonpath={.spec.maxExpirationSeconds} {.status.notBefore} {.status.beginRefreshAt} {.status.notAfter}");
        String[] parts = times.trim().split(" ");
        assertEquals("3600", parts[0], times);
        assertEquals(Duration.ofHours(1), Duration.between(Instant.parse(parts[1]),
                Instant.parse(parts[3])), times);
    }

    @Test
    @Order(4)
    void everyStateIsOnPcrObservedAndTheSchedulerListsThePodCertificates() throws Exception {
        List<JsonNode> events = TopicRecords.payloads(kafka(), "csrflow.pcr.observed");
        assertTrue(events.stream().anyMatch(e -> e.path("phase").asText().equals("Pending")), "Pending seen");
        assertTrue(events.stream().anyMatch(e -> e.path("phase").asText().equals("Issued")
                && e.path("certificateChain").asText().contains("BEGIN CERTIFICATE")), "Issued seen with its chain");
        assertTrue(events.stream().anyMatch(e -> e.path("phase").asText().equals("Denied")), "Denied seen");
        List<String> goodPods = new ArrayList<>();
        pods(false).forEach(p -> goodPods.add(p.path("pod").asText()));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            for (String pod : goodPods) {
                JsonNode page = JSON.readTree(JavaProcess.get(stack.ports.get("SCHEDULER"),
                        "/v1/certificates?namespace=sim-pods&pod=" + pod).body());
                JsonNode items = page.path("items");
                assertEquals(1, items.size(), pod + ": " + page);
                JsonNode certificate = items.get(0);
                assertEquals(pod, certificate.path("pod").asText(), certificate.toString());
                String serial = fleetPod(pod).path("lastSerial").asText();
                assertEquals(serial.replaceFirst("^0+", ""), certificate.path("serial").asText().replaceFirst("^0+", ""),
                        "the newest certificate, after the refresh: " + certificate);
            }
        });
    }

    private static List<JsonNode> pods(boolean misbehaving) throws Exception {
        List<JsonNode> pods = new ArrayList<>();
        fleetStatus().path("podCertificates").forEach(pod -> {
            if (pod.path("expectedRefusal").isTextual() == misbehaving) {
                pods.add(pod);
            }
        });
        return pods;
    }

    private static JsonNode fleetPod(String pod) throws Exception {
        for (JsonNode report : fleetStatus().path("podCertificates")) {
            if (report.path("pod").asText().equals(pod)) {
                return report;
            }
        }
        throw new AssertionError("no pod " + pod);
    }

    private static JsonNode fleetStatus() throws Exception {
        return JSON.readTree(JavaProcess.get(stack.ports.get("FLEET"), "/status").body());
    }

    private static String kafka() {
        return "127.0.0.1:" + stack.ports.get("KAFKA");
    }

    /** A shell command line in the test's directory that must succeed; its stdout. */
    private static String sh(String script) {
        LocalStack.Result result = stack.run(script, List.of("bash", "-euo", "pipefail", "-s"));
        assertEquals(0, result.exit(), script + "\n" + result);
        return result.out();
    }
}
