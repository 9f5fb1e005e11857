package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
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
    static Path state;
    static Path kubeconfig;
    static final Map<String, Integer> ports = new LinkedHashMap<>();
    static Process script;
    static final List<String> scriptOutput = new CopyOnWriteArrayList<>();
    static Process watch;
    static final BlockingQueue<String> watchLines = new LinkedBlockingQueue<>();
    static final List<String> watchSeen = new CopyOnWriteArrayList<>();
    static String userCsrPem;
    private static long startedAt;

    @BeforeAll
    static void up() throws Exception {
        startedAt = System.nanoTime();
        state = dir.resolve("state");
        kubeconfig = state.resolve("kubeconfig");
        for (String port : List.of("KAFKA", "KAFKA_CONTROLLER", "API", "WATCHER", "APPROVER", "SIGNER", "SCHEDULER",
                "FLEET")) {
            ports.put(port, JavaProcess.freePort());
        }
        // Its own session and process group, as a command typed in a terminal, so that Ctrl-C can go
        // to the whole group. A JVM started from a background job inherits SIGINT ignored and passes
        // that on, and bash cannot trap a signal that was ignored when it started: hence
        // --default-signal, which gives the script the SIGINT a terminal's shell gives it.
        List<String> command = List.of("env", "--default-signal=INT", "setsid",
                LocalSystem.ROOT.resolve("csrflow").toString(), "up", "--nodes", Integer.toString(NODES));
        ProcessBuilder builder = new ProcessBuilder(command).directory(LocalSystem.ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(scriptEnvironment());
        script = builder.start();
        script.getOutputStream().close();
        Files.createDirectories(LocalSystem.LOGS);
        Thread reader = new Thread(() -> copyLines(script, LocalSystem.LOGS.resolve("csrflow-up.log"),
                scriptOutput::add), "csrflow-up-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                processGroup(script.pid()) == script.pid() || !script.isAlive());

        long giveUpAt = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!scriptOutput.contains("  Ctrl-C stops everything.")) {
            if (!script.isAlive()) {
                throw new IllegalStateException("./csrflow up exited with " + script.exitValue() + ":\n" + output());
            }
            if (System.nanoTime() > giveUpAt) {
                throw new IllegalStateException("./csrflow up did not finish starting within " + UP_TIMEOUT + ":\n"
                        + output());
            }
            Thread.sleep(250);
        }
        assertTrue(Files.isRegularFile(kubeconfig), "no kubeconfig at " + kubeconfig + ":\n" + output());
        assertTrue(output().contains("kubectl --kubeconfig " + kubeconfig + " get csr"),
                "the script tells the user which kubeconfig to use:\n" + output());
        assertFalse(output().contains("is not ready yet"), output());
        for (String service : List.of("WATCHER", "APPROVER", "SIGNER", "SCHEDULER")) {
            assertEquals(200, JavaProcess.get(ports.get(service), "/q/health/ready").statusCode(),
                    service + " is not ready:\n" + output());
        }
        // The script starts the fleet in the background and prints the summary while it starts.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> JavaProcess.get(ports.get("FLEET"), "/healthz").statusCode() == 200);
        log("./csrflow up printed its summary and every service is ready");
    }

    @AfterAll
    static void down() throws Exception {
        if (watch != null) {
            JavaProcess.terminate(watch, Duration.ofSeconds(5));
        }
        try {
            if (script != null && script.isAlive()) {
                // SIGTERM runs the same trap as Ctrl-C.
                JavaProcess.terminate(script, Duration.ofSeconds(90));
            }
            if (state != null) {
                runScript("down");
            }
        } finally {
            if (script != null) {
                for (ProcessHandle left : groupMembers(script.pid())) {
                    log("killing what the stack left running: " + describe(left));
                    left.destroyForcibly();
                }
            }
            copyStackLogs();
        }
        log("done in " + Duration.ofNanos(System.nanoTime() - startedAt).toSeconds() + " s");
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
        Thread reader = new Thread(() -> copyLines(watch, LocalSystem.LOGS.resolve("kubectl-get-csr-w.log"), line -> {
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
        assertEquals(script.pid(), processGroup(script.pid()), "the script leads a process group of its own");
        List<ProcessHandle> started = groupMembers(script.pid());
        long jvms = started.stream().filter(p -> p.info().command().orElse("").endsWith("java")).count();
        // Kafka, the emulator, four services, the fleet and the event log's console consumer.
        assertEquals(8, jvms, "the stack's JVMs: " + started.stream().map(LocalStackKubectlIT::describe).toList());

        int before = scriptOutput.size();
        long pressed = System.nanoTime();
        Result ctrlC = run(null, List.of("kill", "-INT", "--", "-" + script.pid()));
        assertEquals(0, ctrlC.exit(), ctrlC.toString());
        assertTrue(script.waitFor(2, TimeUnit.MINUTES), "./csrflow up still runs 2 minutes after Ctrl-C:\n" + output());
        log("./csrflow up stopped " + Duration.ofNanos(System.nanoTime() - pressed).toSeconds() + " s after Ctrl-C");
        assertEquals(0, script.exitValue(), output());
        List<String> afterCtrlC = List.copyOf(scriptOutput.subList(before, scriptOutput.size()));
        assertTrue(afterCtrlC.contains("[csrflow] stopping ..."), afterCtrlC.toString());
        assertEquals("[csrflow] stopped", afterCtrlC.get(afterCtrlC.size() - 1), afterCtrlC.toString());

        // A progress loop's sleep may outlive the script by a few seconds; nothing else may.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertEquals(List.of(), started.stream().filter(ProcessHandle::isAlive)
                        .map(LocalStackKubectlIT::describe).toList(), "still running after Ctrl-C"));
        assertEquals(List.of(), groupMembers(script.pid()).stream().map(LocalStackKubectlIT::describe).toList());
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            assertFalse(listening(port.getValue()), port.getKey() + " port " + port.getValue() + " still open");
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
        try (Stream<Path> pidFiles = Files.list(state)) {
            assertEquals(List.of(), pidFiles.filter(file -> file.toString().endsWith(".pid")).toList());
        }
    }

    // --- kubectl as the user runs it ---

    private static Map<String, String> scriptEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("CSRFLOW_STATE", state.toString());
        ports.forEach((name, port) -> env.put("CSRFLOW_" + name + "_PORT", Integer.toString(port)));
        // A new user's empty discovery cache, and none left behind in ~/.kube (a port used again by
        // another emulator would otherwise meet discovery cached from this one).
        env.put("KUBECACHEDIR", dir.resolve("kube-cache").toString());
        return env;
    }

    private static List<String> kubectlCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** stdout of a kubectl command that must succeed and print nothing on stderr. */
    private static String kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    private static String kubectlWithInput(String input, String... args) {
        Result result = run(input, kubectlCommand(args));
        assertEquals(0, result.exit(), "kubectl " + String.join(" ", args) + " failed: " + result);
        assertEquals("", result.err(), "kubectl " + String.join(" ", args) + " complained: " + result);
        return result.out();
    }

    private static String runScript(String subcommand) {
        Result result = run(null, List.of(LocalSystem.ROOT.resolve("csrflow").toString(), subcommand));
        assertEquals(0, result.exit(), "./csrflow " + subcommand + ": " + result);
        return result.out();
    }

    /** What a command printed, as the user sees it in a terminal. */
    record Result(int exit, String out, String err) {
    }

    private static Result run(String input, List<String> command) {
        try {
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile());
            builder.environment().putAll(scriptEnvironment());
            Process process = builder.start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), out, Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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

    /** Each line the process prints, to its log file as it is and to {@code lines} without colours. */
    private static void copyLines(Process process, Path log, Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line + "\n");
                out.flush();
                lines.accept(ANSI.matcher(line).replaceAll(""));
            }
        } catch (IOException ignored) {
            // the process was stopped
        }
    }

    /**
     * A table as kubectl prints it: column names in the header, each cell starting where its
     * column's name starts (kubectl aligns with a tab writer); the last column runs to the end of
     * the line, as MESSAGE may have blanks.
     */
    record Table(List<String> columns, List<Map<String, String>> rows) {
        private static final Pattern NAME = Pattern.compile("\\S+(?: \\S+)*");

        static Table parse(String text) {
            List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
            assertFalse(lines.isEmpty(), "kubectl printed no table");
            List<String> columns = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            Matcher name = NAME.matcher(lines.get(0));
            while (name.find()) {
                columns.add(name.group());
                starts.add(name.start());
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    int from = Math.min(starts.get(i), line.length());
                    int to = i + 1 < columns.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                    row.put(columns.get(i), line.substring(from, to).trim());
                }
                rows.add(row);
            }
            return new Table(List.copyOf(columns), rows);
        }
    }

    // --- processes ---

    /** The process group of {@code pid}, from /proc (the field after the state in /proc/PID/stat). */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every live process in the group {@code pgid}: what the script started, however deep. */
    private static List<ProcessHandle> groupMembers(long pgid) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && processGroup(p.pid()) == pgid).toList();
    }

    private static String describe(ProcessHandle process) {
        String command = process.info().commandLine().orElse(process.info().command().orElse("?"));
        return process.pid() + " " + (command.length() > 160 ? command.substring(0, 160) + "..." : command);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyStackLogs() throws IOException {
        Path logs = state == null ? null : state.resolve("logs");
        if (logs == null || !Files.isDirectory(logs)) {
            return;
        }
        Path target = Files.createDirectories(LocalSystem.LOGS.resolve("local-stack"));
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String output() {
        return String.join("\n", scriptOutput);
    }

    private static void log(String message) {
        System.out.printf("[LocalStackKubectlIT] %5.1f s  %s%n",
                (System.nanoTime() - startedAt) / 1e9, message);
    }
}
