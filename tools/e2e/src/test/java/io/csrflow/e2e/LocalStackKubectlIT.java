package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.csrflow.events.CsrDeletionReason;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.JavaProcess;
import io.csrflow.testsupport.PrometheusText;
import io.csrflow.e2e.LocalStack.Result;
import io.csrflow.e2e.LocalStack.Table;

/**
 * What a new user does after {@code ./csrflow up}: the real kubectl, with the kubeconfig the script
 * prints, against the stack the script starts (Kafka, the API emulator with the RBAC of k8s/, the
 * four services and a fleet of three kubelets), and then Ctrl-C. Every check is on what kubectl
 * prints, as a kube-apiserver would make it print: apply (validated against the OpenAPI document,
 * no {@code --validate=false}), annotate, label, server-side apply, {@code get -w}, {@code
 * certificate approve}, an external signer's {@code replace --raw} of the status, the fleet's CSRs
 * approved and signed by csrflow, the approver's Events, the fleet's Nodes, a NotFound. The script
 * runs with a state directory and ports of its own, so that a developer's {@code .csrflow} and a
 * running stack are left alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackKubectlIT {
    private static final int NODES = 3;
    /** The user's own CSR, for a signer csrflow does not serve: csrflow must leave it to the user. */
    private static final String CSR = "kubectl-user";
    private static final String SIGNER = "example.com/test";
    private static final String CSR_RESOURCE = "certificatesigningrequest.certificates.k8s.io/" + CSR;
    private static final List<String> CSR_COLUMNS = List.of("NAME", "AGE", "SIGNERNAME", "REQUESTOR",
            "REQUESTEDDURATION", "CONDITION");
    /** kubectl's rendering of a duration (apimachinery's HumanDuration): 7s, 2m5s, 60m, 5h3m, 12d. */
    private static final Pattern AGE = Pattern.compile("\\d+[smhdy](\\d+[smh])?");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static Path kubeconfig;
    static Map<String, Integer> ports;
    static Process script;
    static Process watch;
    static final BlockingQueue<String> watchLines = new LinkedBlockingQueue<>();
    static final List<String> watchSeen = new CopyOnWriteArrayList<>();
    static String userCsrPem;

    @BeforeAll
    static void up() throws Exception {
        stack = new LocalStack(dir, "local-stack");
        kubeconfig = stack.kubeconfig;
        ports = stack.ports;
        stack.up("--nodes", Integer.toString(NODES), "--workloads", "0", "--pod-certificates", "0");
        script = stack.script;
    }

    @AfterAll
    static void down() throws Exception {
        if (watch != null) {
            JavaProcess.terminate(watch, Duration.ofSeconds(5));
        }
        stack.down();
    }

    @Test
    @Order(1)
    void applyingACsrManifestCreatesItAndAppliedAgainLeavesItUnchanged() {
        userCsrPem = Cli.opensslCsr(dir, "ec", "/CN=kubectl-user/O=example");
        Path manifest = write("csr.yaml", csrManifest(Map.of()));

        assertEquals(CSR_RESOURCE + " created\n", kubectl("apply", "-f", manifest.toString()));
        assertEquals(CSR_RESOURCE + " unchanged\n", kubectl("apply", "-f", manifest.toString()));

        Table table = Table.parse(kubectl("get", "csr", CSR));
        assertEquals(CSR_COLUMNS, table.columns());
        assertEquals(1, table.rows().size(), table.toString());
        Map<String, String> row = table.rows().get(0);
        assertEquals(CSR, row.get("NAME"));
        assertTrue(AGE.matcher(row.get("AGE")).matches(), row.toString());
        assertEquals(SIGNER, row.get("SIGNERNAME"));
        assertEquals("kubernetes-admin", row.get("REQUESTOR"), "the user of the kubeconfig's credentials");
        assertEquals("60m", row.get("REQUESTEDDURATION"));
        assertEquals("Pending", row.get("CONDITION"));
    }

    @Test
    @Order(2)
    void annotateLabelAndServerSideApplyChangeTheCsr() {
        assertEquals(CSR_RESOURCE + " annotated\n", kubectl("annotate", "csr", CSR, "example.com/owner=me"));
        assertEquals(CSR_RESOURCE + " labeled\n", kubectl("label", "csr", CSR, "team=platform"));
        Path serverSide = write("csr-server-side.yaml", csrManifest(Map.of("applied", "server-side")));
        assertEquals(CSR_RESOURCE + " serverside-applied\n",
                kubectl("apply", "--server-side", "-f", serverSide.toString()));

        assertEquals("me", kubectl("get", "csr", CSR, "-o", "jsonpath={.metadata.annotations.example\\.com/owner}"));
        assertEquals("platform server-side",
                kubectl("get", "csr", CSR, "-o", "jsonpath={.metadata.labels.team} {.metadata.labels.applied}"));
        assertEquals("Pending", Table.parse(kubectl("get", "csr", CSR)).rows().get(0).get("CONDITION"),
                "csrflow leaves a CSR for another signer alone");
    }

    @Test
    @Order(3)
    void getWatchShowsTheCsrsRowChangeWhenKubectlApprovesIt() throws Exception {
        watch = new ProcessBuilder(kubectlCommand("get", "csr", "-w")).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> LocalStack.copyLines(watch, LocalSystem.LOGS.resolve("kubectl-get-csr-w.log"), line -> {
            watchSeen.add(line);
            watchLines.add(line);
        }), "kubectl-get-csr-w");
        reader.setDaemon(true);
        reader.start();
        assertEquals(CSR_COLUMNS, List.of(awaitWatchLine(line -> line.startsWith("NAME ")).trim().split("\\s+")));
        assertEquals(List.of(CSR, SIGNER, "kubernetes-admin", "60m", "Pending"), watchedRow("Pending"));

        assertEquals(CSR_RESOURCE + " approved\n", kubectl("certificate", "approve", CSR));

        assertEquals(List.of(CSR, SIGNER, "kubernetes-admin", "60m", "Approved"), watchedRow("Approved"));
        assertEquals("Approved True KubectlApprove This CSR was approved by kubectl certificate approve.",
                kubectl("get", "csr", CSR, "-o", "jsonpath={.status.conditions[0].type} "
                        + "{.status.conditions[0].status} {.status.conditions[0].reason} "
                        + "{.status.conditions[0].message}"));
    }

    /**
     * As the Kubernetes documentation shows an external signer at work: the CSR as JSON, the
     * certificate put into its status, and that sent to {@code /status} with {@code replace --raw}
     * (which sends the body without a Content-Type).
     */
    @Test
    @Order(4)
    void replaceRawOnTheStatusUploadsAnExternalSignersCertificate() throws Exception {
        Path csrFile = write("kubectl-user.csr", userCsrPem);
        Cli.run(dir, null, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=example-test-signer", "-keyout", "signer.key", "-out",
                "signer.crt");
        Cli.run(dir, null, "openssl", "x509", "-req", "-in", csrFile.toString(), "-CA", "signer.crt", "-CAkey",
                "signer.key", "-set_serial", "4242", "-days", "1", "-out", "kubectl-user.crt");
        String certificate = Files.readString(dir.resolve("kubectl-user.crt"));
        String encoded = Base64.getEncoder().encodeToString(certificate.getBytes(StandardCharsets.US_ASCII));

        ObjectNode csr = (ObjectNode) JSON.readTree(kubectl("get", "csr", CSR, "-o", "json"));
        ((ObjectNode) csr.get("status")).put("certificate", encoded);
        JsonNode answer = JSON.readTree(kubectlWithInput(JSON.writeValueAsString(csr), "replace", "--raw",
                "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + CSR + "/status", "-f", "-"));
        assertEquals("CertificateSigningRequest", answer.path("kind").asText(), answer.toString());
        assertEquals(encoded, answer.path("status").path("certificate").asText());
        assertEquals("Approved", answer.path("status").path("conditions").path(0).path("type").asText());

        assertEquals(List.of(CSR, SIGNER, "kubernetes-admin", "60m", "Approved,Issued"), watchedRow("Approved,Issued"));
        assertEquals("Approved,Issued", Table.parse(kubectl("get", "csr", CSR)).rows().get(0).get("CONDITION"));
        assertEquals(certificate, new String(Base64.getDecoder().decode(
                kubectl("get", "csr", CSR, "-o", "jsonpath={.status.certificate}")), StandardCharsets.US_ASCII));
        assertTrue(watch.isAlive(), "kubectl get -w stopped: " + watchSeen);
    }

    @Test
    @Order(5)
    void getCsrShowsTheFleetsKubeletCsrsApprovedAndIssuedByCsrflow() {
        Set<String> expected = new TreeSet<>();
        for (int node = 1; node <= NODES; node++) {
            expected.add("kubernetes.io/kube-apiserver-client-kubelet system:bootstrap:abcdef 10m Approved,Issued");
            expected.add("kubernetes.io/kubelet-serving system:node:sim-node-" + node + " 10m Approved,Issued");
        }
        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Table table = Table.parse(kubectl("get", "csr"));
            assertEquals(CSR_COLUMNS, table.columns());
            seen.clear();
            for (Map<String, String> row : table.rows()) {
                if (!row.get("NAME").equals(CSR)) {
                    seen.add(row.get("SIGNERNAME") + " " + row.get("REQUESTOR") + " " + row.get("REQUESTEDDURATION")
                            + " " + row.get("CONDITION"));
                }
            }
            assertEquals(2 * NODES, seen.size(), table.toString());
            assertEquals(expected, new TreeSet<>(seen), table.toString());
        });
    }

    @Test
    @Order(6)
    void getEventsShowsTheApproversDecisionOnEachFleetCsr() {
        Set<String> fleetCsrs = new TreeSet<>();
        for (Map<String, String> row : Table.parse(kubectl("get", "csr")).rows()) {
            if (!row.get("NAME").equals(CSR)) {
                fleetCsrs.add("certificatesigningrequest/" + row.get("NAME"));
            }
        }
        // The approver records the Event just after writing its decision; the certificate may be quicker.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Table events = Table.parse(kubectl("get", "events", "-A"));
            assertEquals(List.of("NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), events.columns());
            List<String> explained = new ArrayList<>();
            for (Map<String, String> row : events.rows()) {
                // A cluster's own controllers add theirs (RegisteredNode on each new Node, for one).
                if (!row.get("OBJECT").startsWith("certificatesigningrequest/")) {
                    continue;
                }
                assertFalse(row.get("NAMESPACE").isEmpty(), row.toString());
                assertTrue(AGE.matcher(row.get("LAST SEEN")).matches(), row.toString());
                assertEquals("Normal", row.get("TYPE"), row.toString());
                assertEquals("AutoApproved", row.get("REASON"), row.toString());
                assertTrue(Set.of("Auto approving kubelet client certificate after SubjectAccessReview.",
                        "Auto approving kubelet serving certificate after checking node addresses.")
                        .contains(row.get("MESSAGE")), row.toString());
                explained.add(row.get("OBJECT"));
            }
            assertEquals(List.copyOf(fleetCsrs), explained.stream().sorted().toList(),
                    "one decision Event per fleet CSR, none for the user's own:\n" + events);
        });
    }

    @Test
    @Order(7)
    void getNodesShowsTheFleetsNodes() {
        Table nodes = Table.parse(kubectl("get", "nodes"));
        assertEquals(List.of("NAME", "STATUS", "ROLES", "AGE", "VERSION"), nodes.columns());
        List<String> names = new ArrayList<>();
        for (Map<String, String> row : nodes.rows()) {
            names.add(row.get("NAME"));
            // The simulated kubelets post no Ready condition: kubectl shows Unknown until a node
            // lifecycle controller marks them NotReady.
            assertTrue(Set.of("Ready", "NotReady", "Unknown").contains(row.get("STATUS")), row.toString());
            assertEquals("<none>", row.get("ROLES"), row.toString());
            assertTrue(AGE.matcher(row.get("AGE")).matches(), row.toString());
        }
        assertEquals(List.of("sim-node-1", "sim-node-2", "sim-node-3"), names);
    }

    @Test
    @Order(8)
    void getOfACsrThatDoesNotExistSaysNotFound() {
        Result result = run(null, kubectlCommand("get", "csr", "nope"));
        assertEquals(new Result(1, "",
                "Error from server (NotFound): certificatesigningrequests.certificates.k8s.io \"nope\" not found\n"),
                result);
    }

    @Test
    @Order(9)
    void theWatchersCleanerRunsAndCountsWhatItDeletedAndFailedToDelete() {
        var answer = JavaProcess.get(ports.get("WATCHER"), "/q/metrics");
        assertEquals(200, answer.statusCode());
        String metrics = answer.body();
        for (CsrDeletionReason reason : CsrDeletionReason.values()) {
            if (reason != CsrDeletionReason.UNKNOWN) {
                assertTrue(metrics.contains("csrflow_watcher_cleaner_deleted_total{reason=\"" + reason.wireName()
                        + "\"}"), reason + " missing:\n" + metrics);
            }
        }
        assertTrue(Pattern.compile("(?m)^csrflow_watcher_cleaner_errors_total ").matcher(metrics).find(), metrics);
        // The leader made its first pass once its informer had listed every CSR; nothing was old enough yet.
        assertTrue(PrometheusText.sum(metrics, "csrflow_watcher_cleaner_passes_total", Map.of()) >= 1, metrics);
        assertTrue(PrometheusText.sum(metrics, "csrflow_watcher_cleaner_last_pass_seconds", Map.of()) > 0, metrics);
        assertEquals(0.0, PrometheusText.sum(metrics, "csrflow_watcher_cleaner_deleted_total", Map.of()));
        assertEquals(0.0, PrometheusText.sum(metrics, "csrflow_watcher_cleaner_errors_total", Map.of()));
    }

    @Test
    @Order(10)
    void ctrlCStopsEverythingTheScriptStarted() throws Exception {
        if (watch != null) {
            JavaProcess.terminate(watch, Duration.ofSeconds(5));
        }
        assertEquals(script.pid(), LocalStack.processGroup(script.pid()), "the script leads a process group of its own");
        List<ProcessHandle> started = LocalStack.groupMembers(script.pid());
        long jvms = started.stream().filter(p -> p.info().command().orElse("").endsWith("java")).count();
        // Kafka, the emulator, four services, the fleet and the event log's console consumer.
        assertEquals(8, jvms, "the stack's JVMs: " + started.stream().map(LocalStack::describe).toList());

        int before = stack.scriptOutput.size();
        long pressed = System.nanoTime();
        Result ctrlC = run(null, List.of("kill", "-INT", "--", "-" + script.pid()));
        assertEquals(0, ctrlC.exit(), ctrlC.toString());
        assertTrue(script.waitFor(2, TimeUnit.MINUTES), "./csrflow up still runs 2 minutes after Ctrl-C:\n" + output());
        stack.log("./csrflow up stopped " + Duration.ofNanos(System.nanoTime() - pressed).toSeconds() + " s after Ctrl-C");
        assertEquals(0, script.exitValue(), output());
        // A progress loop's sleep may hold the output open a few seconds longer (see below).
        stack.awaitOutputEnd(Duration.ofSeconds(15));
        List<String> afterCtrlC = List.copyOf(stack.scriptOutput.subList(before, stack.scriptOutput.size()));
        assertTrue(afterCtrlC.contains("[csrflow] stopping ..."), afterCtrlC.toString());
        assertEquals("[csrflow] stopped", afterCtrlC.get(afterCtrlC.size() - 1), afterCtrlC.toString());

        // A progress loop's sleep may outlive the script by a few seconds; nothing else may.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertEquals(List.of(), started.stream().filter(ProcessHandle::isAlive)
                        .map(LocalStack::describe).toList(), "still running after Ctrl-C"));
        assertEquals(List.of(), LocalStack.groupMembers(script.pid()).stream().map(LocalStack::describe).toList());
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            assertFalse(LocalStack.listening(port.getValue()), port.getKey() + " port " + port.getValue() + " still open");
        }
        assertEquals("""
                kafka: stopped
                emulator: stopped
                watcher: stopped
                approver: stopped
                signer: stopped
                scheduler: stopped
                fleet: stopped
                """, runScript("status"));
        try (Stream<Path> pidFiles = Files.list(stack.state)) {
            assertEquals(List.of(), pidFiles.filter(file -> file.toString().endsWith(".pid")).toList());
        }
    }

    // --- kubectl as the user runs it ---

    private static String kubectl(String... args) {
        return stack.kubectl(args);
    }

    private static String kubectlWithInput(String input, String... args) {
        return stack.kubectlWithInput(input, args);
    }

    private static List<String> kubectlCommand(String... args) {
        return stack.kubectlCommand(args);
    }

    private static Result run(String input, List<String> command) {
        return stack.run(input, command);
    }

    private static String runScript(String subcommand) {
        return stack.runScript(subcommand);
    }

    private static String csrManifest(Map<String, String> labels) {
        StringBuilder labelLines = new StringBuilder();
        if (!labels.isEmpty()) {
            labelLines.append("  labels:\n");
            labels.forEach((key, value) -> labelLines.append("    ").append(key).append(": ").append(value).append('\n'));
        }
        return """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: %s
                %sspec:
                  request: %s
                  signerName: %s
                  expirationSeconds: 3600
                  usages:
                  - digital signature
                  - client auth
                """.formatted(CSR, labelLines, Base64.getEncoder().encodeToString(
                        userCsrPem.getBytes(StandardCharsets.US_ASCII)), SIGNER);
    }

    // --- kubectl get -w ---

    private static String awaitWatchLine(Predicate<String> wanted) throws InterruptedException {
        long giveUpAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < giveUpAt) {
            String line = watchLines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && wanted.test(line)) {
                return line;
            }
        }
        throw new AssertionError("kubectl get csr -w printed no such line; it printed: " + watchSeen);
    }

    /**
     * The next row {@code get -w} prints for the user's CSR with this condition, without its AGE. A
     * row printed on a change is not aligned with the header (kubectl writes each event as it comes):
     * cells are split on blanks, which no cell of a CSR row contains.
     */
    private static List<String> watchedRow(String condition) throws InterruptedException {
        List<String> cells = new ArrayList<>(List.of(awaitWatchLine(line -> line.startsWith(CSR + " ")
                && line.trim().endsWith(" " + condition)).trim().split("\\s+")));
        assertEquals(CSR_COLUMNS.size(), cells.size(), cells.toString());
        assertTrue(AGE.matcher(cells.remove(1)).matches(), cells.toString());
        return cells;
    }

    private static Path write(String name, String content) {
        return stack.write(name, content);
    }

    private static String output() {
        return stack.output();
    }
}
