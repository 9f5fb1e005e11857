package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.JavaProcess;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A fleet of 20 kubelets plus three that misbehave, against csrflow running as separate
 * processes. The scheduler is set to announce renewal one minute after issue (renew when 60 % of
 * a 15-minute validity is left), so every node must rotate both certificates within minutes,
 * driven by {@code cert.renewal-due}. Everything is checked from outside: certificates on the CSRs
 * in the API, verified by openssl against the CA; the simulator's and the scheduler's HTTP answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetRotationIT {
    private static final int GOOD = 20;
    private static final List<String> MISBEHAVING = List.of("sim-node-21", "sim-node-22", "sim-node-23");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalSystem system;
    static OtlpReceiver collector;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws Exception {
        collector = new OtlpReceiver();
        // Span export on, as in a cluster, to a collector stand-in.
        system = new LocalSystem(dir).startPlatform(Map.of("QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.endpoint(),
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "1s"),
                Map.of("CSRFLOW_SCHEDULER_RENEW_BEFORE_PERCENTAGE", "60"));
        // Misbehaving nodes come last: sim-node-21 impersonates, -22 has a weak key, -23 a foreign SAN.
        system.startFleet("--nodes", Integer.toString(GOOD + MISBEHAVING.size()), "--lifetime", "10m",
                "--misbehave", "foreign-san=1,weak-key=1,impersonate=1", "--poll-interval", "500ms",
                "--starts-per-second", "10");
        admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(system.kubeconfig)))
                .build();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (system != null) {
            system.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void everyNodeEndsWithValidRotatedCertificates() throws Exception {
        await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(5)).until(() ->
                goodNodes(fleetStatus()).stream().allMatch(node -> node.path("client").path("rotations").asInt() >= 1
                        && node.path("serving").path("rotations").asInt() >= 1));

        List<JsonNode> nodes = goodNodes(fleetStatus());
        assertEquals(GOOD, nodes.size());
        List<CertificateSigningRequest> csrs = admin.certificates().v1().certificateSigningRequests().list().getItems();
        for (JsonNode node : nodes) {
            String name = node.path("name").asText();
            checkRotated(name, "kubernetes.io/kube-apiserver-client-kubelet", "sslclient",
                    node.path("client").path("serial").asText(), csrs);
            X509Certificate serving = checkRotated(name, "kubernetes.io/kubelet-serving", "sslserver",
                    node.path("serving").path("serial").asText(), csrs);
            assertTrue(serving.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals(name)),
                    name + " serving SANs " + serving.getSubjectAlternativeNames());
        }
    }

    /**
     * The newest certificate of one identity: issued on a CSR, held by the node, verified by
     * openssl for its purpose, from a key that is not the one before it; the scheduler tracks it.
     */
    private X509Certificate checkRotated(String node, String signer, String purpose, String heldSerial,
            List<CertificateSigningRequest> csrs) throws Exception {
        List<X509Certificate> issued = new ArrayList<>();
        for (CertificateSigningRequest csr : csrs) {
            if (csr.getSpec().getSignerName().equals(signer) && csr.getStatus() != null
                    && csr.getStatus().getCertificate() != null && !csr.getStatus().getCertificate().isEmpty()) {
                X509Certificate certificate = parse(csr.getStatus().getCertificate());
                if (certificate.getSubjectX500Principal().getName().contains("CN=system:node:" + node + ",")
                        || certificate.getSubjectX500Principal().getName().endsWith("CN=system:node:" + node)) {
                    issued.add(certificate);
                }
            }
        }
        issued.sort(Comparator.comparing(X509Certificate::getNotAfter));
        assertTrue(issued.size() >= 2, node + " " + signer + ": " + issued.size() + " certificates issued, no rotation");
        X509Certificate newest = issued.get(issued.size() - 1);
        assertEquals(newest.getSerialNumber().toString(16), heldSerial, node + " " + signer + " holds an older one");
        assertFalse(java.util.Arrays.equals(newest.getPublicKey().getEncoded(),
                issued.get(issued.size() - 2).getPublicKey().getEncoded()), node + " " + signer + " reused its key");

        Path pem = dir.resolve(node + "-" + purpose + ".pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(newest.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        assertEquals(pem + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-purpose", purpose, "-CAfile",
                system.ca.certFile().toString(), pem.toString()));

        String identity = URLEncoder.encode(signer + "|system:node:" + node, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(heldSerial,
                JSON.readTree(JavaProcess.get(system.schedulerPort, "/v1/certificates/" + identity).body())
                        .path("serial").asText(), "the scheduler tracks " + node + "'s current " + signer));
        return newest;
    }

    /**
     * One CSR's path is one trace: every record about it, on every topic, carries the CSR's trace
     * id in {@code traceparent}, and each of the four services exported spans of that trace.
     */
    @Test
    void oneCsrsPathFromWatcherToSchedulerIsOneTrace() throws Exception {
        CertificateSigningRequest csr = await().atMost(Duration.ofMinutes(3)).until(() -> admin.certificates().v1()
                .certificateSigningRequests().list().getItems().stream()
                .filter(c -> c.getSpec().getUsername().equals("system:node:sim-node-1")
                        && c.getSpec().getSignerName().equals("kubernetes.io/kubelet-serving")
                        && c.getStatus() != null && c.getStatus().getCertificate() != null)
                .findFirst().orElse(null), java.util.Objects::nonNull);
        String name = csr.getMetadata().getName();
        String traceId = traceIdOf(csr.getMetadata().getUid());

        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            Map<String, List<String>> traceIds = TopicRecords.traceIdsByTopic(system.kafka.bootstrapServers(), name);
            assertEquals(List.of("csrflow.cert.issued", "csrflow.csr.decisions", "csrflow.csr.observed"),
                    traceIds.keySet().stream().sorted().toList(), "records about " + name);
            traceIds.forEach((topic, ids) -> assertTrue(ids.stream().allMatch(traceId::equals),
                    topic + " records about " + name + " carry trace ids " + ids + ", not " + traceId));
            assertTrue(traceIds.get("csrflow.csr.observed").size() >= 3, "pending, approved, issued");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String service : List.of("csr-watcher", "approver-service", "signer-service", "rotation-scheduler")) {
                assertTrue(collector.hasSpan(service, traceId), service + " exported no span of trace " + traceId
                        + " (" + collector.exportCount() + " exports received)");
            }
        });
    }

    /**
     * An operator rewinds every consumer to the beginning of its topics, twice: nothing is approved,
     * signed or announced again. The fleet is stopped first so that the only traffic is the replay.
     */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void replayingEveryTopicTwiceDecidesSignsAndAnnouncesNothingNew() throws Exception {
        await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(5)).until(() ->
                goodNodes(fleetStatus()).stream().allMatch(node -> node.path("serving").path("rotations").asInt() >= 1));
        system.stop("fleet-simulator");
        await().atMost(Duration.ofMinutes(2)).until(() -> admin.certificates().v1().certificateSigningRequests().list()
                .getItems().stream().allMatch(csr -> csr.getStatus() != null && csr.getStatus().getConditions() != null
                        && !csr.getStatus().getConditions().isEmpty()
                        && (csr.getStatus().getCertificate() != null || csr.getStatus().getConditions().stream()
                                .anyMatch(c -> c.getType().equals("Denied")))));
        Map<String, List<String>> inputs = Map.of(
                "approver-service", List.of("csrflow.csr.observed"),
                "signer-service", List.of("csrflow.csr.decisions", "csrflow.csr.observed"),
                "csrflow-rotation-scheduler", List.of("csrflow.cert.issued", "csrflow.csr.observed"));
        List<String> services = List.of("approver-service", "signer-service", "rotation-scheduler");
        try (ConsumerGroups groups = new ConsumerGroups(system.kafka.bootstrapServers())) {
            await().atMost(Duration.ofMinutes(1)).until(() -> groups.caughtUp("approver-service", inputs.get("approver-service"))
                    && groups.caughtUp("signer-service", inputs.get("signer-service")));
            long decisions = groups.records("csrflow.csr.decisions");
            long issued = groups.records("csrflow.cert.issued");
            Map<String, Integer> conditions = conditionCounts();
            for (int round = 1; round <= 2; round++) {
                system.stop(services);
                for (Map.Entry<String, List<String>> input : inputs.entrySet()) {
                    groups.rewind(input.getKey(), input.getValue());
                }
                system.restart(services);
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    for (Map.Entry<String, List<String>> input : inputs.entrySet()) {
                        if (!groups.caughtUp(input.getKey(), input.getValue())) {
                            return false;
                        }
                    }
                    return true;
                });
                assertEquals(decisions, groups.records("csrflow.csr.decisions"), "replay " + round + ": new decisions");
                assertEquals(issued, groups.records("csrflow.cert.issued"), "replay " + round + ": new certificates");
                assertEquals(conditions, conditionCounts(), "replay " + round + ": a CSR's conditions changed");
            }
        }
        List<String> notices = TopicRecords.eventIds(system.kafka.bootstrapServers(), "csrflow.cert.renewal-due");
        assertTrue(notices.size() >= GOOD * 2, notices.size() + " renewal notices");
        assertEquals(notices.size(), new java.util.HashSet<>(notices).size(), "a renewal notice was sent twice");
    }

    private Map<String, Integer> conditionCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        admin.certificates().v1().certificateSigningRequests().list().getItems().forEach(csr -> counts.put(
                csr.getMetadata().getName(), csr.getStatus().getConditions().size()));
        return counts;
    }

    /**
     * After everything above (bootstraps, rotations with fresh keys, denials): no component logged
     * a private key or a bearer token.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void noLogLineCarriesAPrivateKeyOrABearerToken() throws Exception {
        List<String> secrets = List.of("PRIVATE KEY", "bootstrap-token", "admin-token", "csr-watcher-token",
                "approver-token", "signer-token", "rotation-scheduler-token", "Bearer ");
        List<String> leaks = new ArrayList<>();
        // Every log of every test so far, those of the ./csrflow up stacks in their folders too.
        try (var logs = Files.walk(LocalSystem.LOGS)) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                for (int i = 0; i < lines.size(); i++) {
                    for (String secret : secrets) {
                        if (lines.get(i).contains(secret)) {
                            leaks.add(LocalSystem.LOGS.relativize(log) + ":" + (i + 1) + " contains " + secret);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(Files.size(LocalSystem.LOGS.resolve("fleet-simulator.log")) > 10_000, "the logs were written");
    }

    /** As the README documents it: the first 16 bytes of SHA-256("csrflow|" + uid), in hex. */
    private static String traceIdOf(String uid) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(("csrflow|" + uid).getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest, 0, 16);
    }

    /**
     * Every metric the Grafana dashboard queries is one the services export, except counters
     * that are registered at their first failure (labelled by the failure), which a healthy run
     * never has.
     */
    @Test
    void theDashboardQueriesOnlyMetricsTheServicesExport() throws Exception {
        Set<String> registeredOnFirstFailure = Set.of("csrflow_approver_sar_errors_total",
                "csrflow_signer_failures_total", "csrflow_scheduler_rejected_total",
                "csrflow_approver_records_malformed_total", "csrflow_signer_records_malformed_total");
        String dashboard = Files.readString(LocalSystem.ROOT.resolve("k8s/base/grafana/csrflow-dashboard.json"));
        Set<String> queried = new TreeSet<>();
        Matcher names = Pattern.compile("csrflow_[a-z_]+").matcher(dashboard);
        while (names.find()) {
            queried.add(names.group());
        }
        assertTrue(queried.size() > 15, queried.toString());
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
            StringBuilder exported = new StringBuilder();
            system.ports.values().forEach(port -> exported.append(JavaProcess.get(port, "/q/metrics").body()));
            List<String> missing = queried.stream().filter(name -> !registeredOnFirstFailure.contains(name))
                    .filter(name -> !Pattern.compile("(?m)^" + name + "[{ ]").matcher(exported).find()).toList();
            assertEquals(List.of(), missing, "queried by the dashboard but exported by no service");
        });
    }

    @Test
    void misbehavingNodesAreDeniedTheirServingCertificatesWithTheReason() {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() ->
                MISBEHAVING.stream().allMatch(name -> node(fleetStatus(), name).path("phase").asText()
                        .equals("SERVING_REFUSED")));

        assertEquals("InvalidServingRequest", servingDenial("sim-node-21").getReason());
        assertEquals("WeakKey", servingDenial("sim-node-22").getReason());
        CertificateSigningRequestCondition foreignSan = servingDenial("sim-node-23");
        assertEquals("SANNotANodeAddress", foreignSan.getReason());
        assertTrue(foreignSan.getMessage().startsWith("SAN DNS:sim-node-"), foreignSan.getMessage());
        for (String name : MISBEHAVING) {
            JsonNode node = node(fleetStatus(), name);
            assertNotNull(node.path("client").path("serial").textValue(), name + " still got its client certificate");
        }
    }

    /** The Denied condition on the serving CSR the node created with its own client certificate. */
    private CertificateSigningRequestCondition servingDenial(String node) {
        return admin.certificates().v1().certificateSigningRequests().list().getItems().stream()
                .filter(csr -> csr.getSpec().getSignerName().equals("kubernetes.io/kubelet-serving")
                        && csr.getSpec().getUsername().equals("system:node:" + node))
                .flatMap(csr -> csr.getStatus().getConditions().stream())
                .filter(condition -> condition.getType().equals("Denied"))
                .findFirst().orElseThrow(() -> new AssertionError(node + " has no denied serving CSR"));
    }

    private static JsonNode fleetStatus() {
        try {
            return JSON.readTree(JavaProcess.get(system.fleetPort, "/status").body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<JsonNode> goodNodes(JsonNode status) {
        return StreamSupport.stream(status.path("nodeReports").spliterator(), false)
                .filter(node -> node.path("behaviour").asText().equals("none")).toList();
    }

    private static JsonNode node(JsonNode status, String name) {
        return StreamSupport.stream(status.path("nodeReports").spliterator(), false)
                .filter(node -> node.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in the fleet status"));
    }

    private static X509Certificate parse(String base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }
}
