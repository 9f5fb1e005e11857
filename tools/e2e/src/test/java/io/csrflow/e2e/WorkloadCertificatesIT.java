package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.e2e.LocalStack.Result;
import io.csrflow.e2e.LocalStack.Table;
import io.csrflow.testsupport.JavaProcess;

/**
 * The Kubernetes documentation's "Manage TLS certificates in a cluster" flow, step by step as its
 * reader types it, on {@code ./csrflow up}: {@code cfssl genkey}, {@code kubectl apply} of the CSR
 * by the pod's ServiceAccount (no {@code --validate=false}), {@code kubectl describe}, approval by
 * csrflow once the pod and its Service exist, the certificate out of {@code kubectl get -o jsonpath
 * | base64 --decode}, and {@code openssl s_server} answering an {@code openssl s_client} that
 * verifies the name against the CA bundle csrflow publishes in the namespace. Then what an
 * administrator does by hand (approve, deny, an external signer with {@code cfssl sign} and {@code
 * kubectl replace --raw}), the bundle in a new namespace, and the fleet's workloads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadCertificatesIT {
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final String CSR = "my-svc.my-namespace";
    private static final String SERVICE_NAME = "my-svc.my-namespace.svc.cluster.local";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Lets the namespace's default ServiceAccount create and follow CSRs. */
    private static final String CSR_REQUESTER = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: csr-requester}
            rules:
            - apiGroups: [certificates.k8s.io]
              resources: [certificatesigningrequests]
              verbs: [create, get, list, watch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: my-namespace-csr-requester}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-requester}
            subjects:
            - {kind: ServiceAccount, name: default, namespace: my-namespace}
            """;

    @TempDir
    static Path dir;
    static LocalStack stack;

    @BeforeAll
    static void up() throws Exception {
        // The scheduler announces renewal a minute after issue (renew when 60 % of the 15-minute
        // validity is left), so that the fleet's workloads renew while the test runs.
        stack = new LocalStack(dir, "workload-stack", Map.of("CSRFLOW_SCHEDULER_RENEW_BEFORE_PERCENTAGE", "60"));
        stack.up("--nodes", "1", "--workloads", "3");
        // What the documentation takes for granted: the namespace, and a ServiceAccount allowed to
        // create CSRs (a cluster grants that to whom it chooses; here the namespace's default account).
        stack.kubectl("create", "namespace", "my-namespace");
        stack.kubectlWithInput(CSR_REQUESTER, "apply", "-f", "-");
    }

    @AfterAll
    static void down() throws Exception {
        stack.down();
    }

    @Test
    @Order(1)
    void cfsslGenkeyMakesTheKeyAndTheRequest() {
        genkey("server", """
                {
                  "hosts": [
                    "my-svc.my-namespace.svc.cluster.local",
                    "my-pod.my-namespace.pod.cluster.local",
                    "172.168.0.24",
                    "10.0.34.2"
                  ],
                  "CN": "my-pod.my-namespace.pod.cluster.local",
                  "key": {
                    "algo": "ecdsa",
                    "size": 256
                  }
                }
                """);
        assertTrue(Files.isRegularFile(dir.resolve("server.csr")) && Files.isRegularFile(dir.resolve("server-key.pem")));
    }

    @Test
    @Order(2)
    void thePodsServiceAccountAppliesTheCsrAndDescribeShowsItPendingUntilItsServiceExists() throws Exception {
        assertEquals("pod/my-pod created\n", stack.kubectl("run", "my-pod", "-n", "my-namespace",
                "--image=registry.example/my-server:1", "--labels=app=my-svc"));
        // What the pod's kubelet reports once it runs.
        stack.kubectl("patch", "pod", "my-pod", "-n", "my-namespace", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.34.2\",\"podIPs\":[{\"ip\":\"10.0.34.2\"}]}}");
        String token = stack.kubectl("create", "token", "default", "-n", "my-namespace", "--bound-object-kind", "Pod",
                "--bound-object-name", "my-pod").trim();

        String applied = sh("cat <<EOF | kubectl --kubeconfig " + stack.kubeconfig + " --cache-dir kube-cache --token "
                + token + " apply -f -\n" + """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: my-svc.my-namespace
                spec:
                  request: $(cat server.csr | base64 | tr -d '\\n')
                  signerName: csrflow.io/workload-serving
                  usages:
                  - digital signature
                  - key encipherment
                  - server auth
                EOF
                """);
        assertEquals("certificatesigningrequest.certificates.k8s.io/my-svc.my-namespace created\n", applied);

        // The approver looked, found no Service my-svc yet, and said so without deciding.
        JsonNode waiting = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> decisionsFor(CSR).stream().filter(d -> d.path("outcome").asText().equals("NO_OPINION"))
                        .findFirst().orElse(null), d -> d != null);
        assertTrue(waiting.path("message").asText().contains("my-svc"), waiting.toString());

        String described = stack.kubectl("describe", "csr", CSR);
        for (String line : List.of("Name:", "Requesting User:", "Signer:", "Status:", "Subject:", "Subject Alternative Names:")) {
            assertTrue(described.contains(line), line + " missing:\n" + described);
        }
        assertTrue(described.matches("(?s).*Requesting User:\\s+system:serviceaccount:my-namespace:default\\n.*"), described);
        assertTrue(described.matches("(?s).*Signer:\\s+csrflow.io/workload-serving\\n.*"), described);
        assertTrue(described.matches("(?s).*Status:\\s+Pending\\n.*"), described);
        assertTrue(described.matches("(?s).*Common Name:\\s+my-pod.my-namespace.pod.cluster.local\\n.*"), described);
        assertTrue(described.matches("(?s).*DNS Names:\\s+my-svc.my-namespace.svc.cluster.local\\n\\s+"
                + "my-pod.my-namespace.pod.cluster.local\\n.*"), described);
        assertTrue(described.matches("(?s).*IP Addresses:\\s+172.168.0.24\\n\\s+10.0.34.2\\n.*"), described);
    }

    @Test
    @Order(3)
    void onceTheServiceAndItsEndpointsExistCsrflowApprovesAndSignsNamingWhatEntitledEachName() throws Exception {
        stack.kubectlWithInput("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: my-svc
                  namespace: my-namespace
                spec:
                  clusterIP: 172.168.0.24
                  selector: {app: my-svc}
                  ports:
                  - {name: https, port: 443, targetPort: 8443}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: my-svc-abcde
                  namespace: my-namespace
                  labels:
                    kubernetes.io/service-name: my-svc
                    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
                addressType: IPv4
                endpoints:
                - addresses: ["10.0.34.2"]
                  conditions: {ready: true}
                  targetRef: {kind: Pod, namespace: my-namespace, name: my-pod}
                ports:
                - {name: https, port: 8443, protocol: TCP}
                """, "apply", "-f", "-");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertEquals("Approved,Issued", Table.parse(stack.kubectl("get", "csr", CSR)).rows().get(0)
                        .get("CONDITION")));
        String approved = stack.kubectl("get", "csr", CSR, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Approved\")].reason} "
                        + "{.status.conditions[?(@.type==\"Approved\")].message}");
        assertTrue(approved.startsWith("AutoApproved "), approved);
        assertTrue(approved.contains("Service my-namespace/my-svc") && approved.contains("Pod my-namespace/my-pod"),
                approved);

        sh("kubectl --kubeconfig " + stack.kubeconfig + " --cache-dir kube-cache get csr my-svc.my-namespace -o "
                + "jsonpath='{.status.certificate}' | base64 --decode > server.crt");
        String text = sh("openssl x509 -in server.crt -noout -subject -ext subjectAltName");
        assertTrue(text.contains("CN=my-pod.my-namespace.pod.cluster.local")
                || text.contains("CN = my-pod.my-namespace.pod.cluster.local"), text);
        assertTrue(text.contains("DNS:my-svc.my-namespace.svc.cluster.local") && text.contains("IP Address:10.0.34.2"),
                text);
    }

    @Test
    @Order(4)
    void theWorkloadServesTlsThatAClientVerifiesWithTheNamespacesCaBundle() throws Exception {
        sh("kubectl --kubeconfig " + stack.kubeconfig + " --cache-dir kube-cache get configmap csrflow-ca-bundle "
                + "-n my-namespace -o jsonpath='{.data.ca\\.crt}' > ca.crt");
        int port = JavaProcess.freePort();
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", "server.crt",
                "-key", "server-key.pem", "-quiet").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> LocalStack.listening(port));
            Result verified = client(port, SERVICE_NAME);
            assertEquals(0, verified.exit(), verified.toString());
            assertTrue(verified.out().contains("Verify return code: 0 (ok)"), verified.toString());
            // The same certificate for a name it was not issued for: the client refuses.
            Result otherName = client(port, "other-svc.my-namespace.svc.cluster.local");
            assertNotEquals(0, otherName.exit(), otherName.toString());
            assertTrue(otherName.out().contains("hostname mismatch") || otherName.err().contains("hostname mismatch"),
                    otherName.toString());
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(5)
    void aPersonsCsrWaitsForAnAdministratorWhoApprovesOrDeniesIt() throws Exception {
        for (String name : List.of("admin-approves", "admin-denies")) {
            genkey(name, """
                    {"hosts": ["%s.example.internal"], "CN": "%s.example.internal", "key": {"algo": "ecdsa", "size": 256}}
                    """.formatted(name, name));
            stack.kubectlWithInput(csrManifest(name, SIGNER, name + ".csr"), "apply", "-f", "-");
        }
        // csrflow does not approve a person's request for a workload signer: it stays for a human.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                decisionsFor("admin-approves").size() >= 1 && decisionsFor("admin-denies").size() >= 1);
        for (String name : List.of("admin-approves", "admin-denies")) {
            assertEquals("Pending", Table.parse(stack.kubectl("get", "csr", name)).rows().get(0).get("CONDITION"));
            assertEquals("NO_OPINION", decisionsFor(name).get(0).path("outcome").asText());
        }
        assertEquals("certificatesigningrequest.certificates.k8s.io/admin-approves approved\n",
                stack.kubectl("certificate", "approve", "admin-approves"));
        assertEquals("certificatesigningrequest.certificates.k8s.io/admin-denies denied\n",
                stack.kubectl("certificate", "deny", "admin-denies"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertEquals("Approved,Issued", Table.parse(stack.kubectl("get", "csr", "admin-approves")).rows().get(0)
                        .get("CONDITION")));
        assertEquals("Denied", Table.parse(stack.kubectl("get", "csr", "admin-denies")).rows().get(0).get("CONDITION"));
        assertEquals("", stack.kubectl("get", "csr", "admin-denies", "-o", "jsonpath={.status.certificate}"));
    }

    @Test
    @Order(6)
    void anExternalSignersCsrIsLeftToItAndItsUploadedCertificateIsSeenIssuedOnTheTopics() throws Exception {
        genkey("external", """
                {"hosts": ["external.my-namespace.svc.cluster.local"], "CN": "external", "key": {"algo": "ecdsa", "size": 256}}
                """);
        stack.kubectlWithInput(csrManifest("external", "example.com/serving", "external.csr"), "apply", "-f", "-");
        assertEquals("certificatesigningrequest.certificates.k8s.io/external approved\n",
                stack.kubectl("certificate", "approve", "external"));
        sh("echo '{\"CN\": \"example.com serving CA\", \"key\": {\"algo\": \"ecdsa\", \"size\": 256}}' "
                + "| cfssl gencert -initca - | cfssljson -bare external-ca");
        sh("cfssl sign -ca external-ca.pem -ca-key external-ca-key.pem external.csr | cfssljson -bare external");
        String csr = stack.kubectl("get", "csr", "external", "-o", "json");
        String certificate = sh("base64 < external.pem | tr -d '\\n'");
        String withCertificate = JSON.readTree(csr).toString().replaceFirst("\"status\":\\{",
                "\"status\":{\"certificate\":\"" + certificate + "\",");
        stack.kubectlWithInput(withCertificate, "replace", "--raw",
                "/apis/certificates.k8s.io/v1/certificatesigningrequests/external/status", "-f", "-");
        assertEquals("Approved,Issued", Table.parse(stack.kubectl("get", "csr", "external")).rows().get(0).get("CONDITION"));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() ->
                TopicRecords.payloads(kafka(), "csrflow.csr.observed").stream().anyMatch(observed ->
                        observed.path("name").asText().equals("external")
                                && observed.path("phase").asText().equals("Issued")));
        for (JsonNode decision : decisionsFor("external")) {
            assertEquals("NO_OPINION", decision.path("outcome").asText(), decision.toString());
        }
        // csrflow's signer wrote nothing on it: no Failed condition, the certificate is the one uploaded.
        assertEquals("Approved", stack.kubectl("get", "csr", "external", "-o", "jsonpath={.status.conditions[*].type}"));
        assertEquals(certificate, stack.kubectl("get", "csr", "external", "-o", "jsonpath={.status.certificate}"));
    }

    @Test
    @Order(7)
    void theBundleReachesANamespaceCreatedLaterAndEverySignerHasAClusterTrustBundle() {
        String workloadBundle = stack.kubectl("get", "configmap", "csrflow-ca-bundle", "-n", "my-namespace", "-o",
                "jsonpath={.data.csrflow\\.io_workload-serving\\.crt}");
        stack.kubectl("create", "namespace", "created-later");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                assertEquals(workloadBundle, stack.kubectl("get", "configmap", "csrflow-ca-bundle", "-n", "created-later",
                        "-o", "jsonpath={.data.ca\\.crt}")));

        Table bundles = Table.parse(stack.kubectl("get", "clustertrustbundles"));
        assertEquals(List.of("NAME", "SIGNERNAME"), bundles.columns());
        Map<String, String> workload = bundles.rows().stream().filter(row -> row.get("SIGNERNAME").equals(SIGNER))
                .findFirst().orElseThrow(() -> new AssertionError("no ClusterTrustBundle for " + SIGNER + ":\n" + bundles));
        assertTrue(workload.get("NAME").startsWith("csrflow.io:workload-serving:"), workload.toString());
        assertEquals(workloadBundle.strip(), stack.kubectl("get", "clustertrustbundle", workload.get("NAME"), "-o",
                "jsonpath={.spec.trustBundle}").strip());
    }

    @Test
    @Order(8)
    void theFleetsWorkloadsAreCertifiedAndTrustedAndTheOneAskingForAnotherServiceIsDenied() throws Exception {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode summary = fleetStatus().path("workloadsSummary");
            assertEquals(3, summary.path("workloads").asInt(), summary.toString());
            assertEquals(2, summary.path("certified").asInt(), summary.toString());
            assertEquals(2, summary.path("trusted").asInt(), summary.toString());
            assertEquals(1, summary.path("denied").asInt(), summary.toString());
        });
        JsonNode denied = null;
        for (JsonNode workload : fleetStatus().path("workloads")) {
            if (workload.path("phase").asText().equals("DENIED")) {
                denied = workload;
            }
        }
        assertEquals("sim-apps-a", denied.path("namespace").asText(), denied.toString());
        assertEquals("web-2", denied.path("service").asText(), denied.toString());
        String refusal = denied.path("refusals").path(0).asText();
        assertTrue(refusal.contains("web-1.sim-apps-a") && refusal.contains("web-1"), refusal);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() ->
                stack.scriptOutput.stream().anyMatch(line -> line.contains("workloads certified 2/3, denied 1")));
    }

    @Test
    @Order(9)
    void theRotationSchedulerTracksTheWorkloadsCertificateUnderItsNamespaceAndServiceAccount() throws Exception {
        String serial = sh("openssl x509 -in server.crt -noout -serial").trim().replaceFirst("^serial=0*", "")
                .toLowerCase(java.util.Locale.ROOT);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode items = JSON.readTree(JavaProcess.get(stack.ports.get("SCHEDULER"),
                    "/v1/certificates?namespace=my-namespace&serviceAccount=default").body()).path("items");
            assertEquals(1, items.size(), items.toString());
            assertEquals(serial, items.path(0).path("serial").asText(), items.toString());
            assertEquals(SIGNER, items.path(0).path("signerName").asText(), items.toString());
        });
        // The same question for another namespace finds none of it; a bad namespace is a 400.
        JsonNode others = JSON.readTree(JavaProcess.get(stack.ports.get("SCHEDULER"),
                "/v1/certificates?namespace=sim-apps-b").body()).path("items");
        for (JsonNode item : others) {
            assertEquals("sim-apps-b", item.path("namespace").asText(), others.toString());
        }
        assertEquals(400, JavaProcess.get(stack.ports.get("SCHEDULER"), "/v1/certificates?namespace=My_Namespace")
                .statusCode());
    }

    @Test
    @Order(10)
    void theFleetsWorkloadsRenewWhenTheSchedulerSaysSoAndStayTrusted() {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode status = fleetStatus();
            for (JsonNode workload : status.path("workloads")) {
                if (!workload.path("phase").asText().equals("DENIED")) {
                    assertTrue(workload.path("certificate").path("rotations").asInt() >= 1, workload.toString());
                    assertTrue(workload.path("trusted").asBoolean(), workload.toString());
                }
            }
            assertTrue(status.path("renewalNotices").asInt() >= 2, status.path("workloadsSummary").toString());
        });
    }

    // --- helpers ---

    /** {@code cfssl genkey - | cfssljson -bare NAME}, as the documentation runs it. */
    private static void genkey(String name, String request) {
        sh("cat <<EOF | cfssl genkey - | cfssljson -bare " + name + "\n" + request + "EOF\n");
    }

    private static String csrManifest(String name, String signer, String requestFile) {
        String request = sh("base64 < " + requestFile + " | tr -d '\\n'");
        return """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: %s
                spec:
                  request: %s
                  signerName: %s
                  usages:
                  - digital signature
                  - key encipherment
                  - server auth
                """.formatted(name, request, signer);
    }

    private static Result client(int port, String hostname) {
        return stack.run("", List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-verify_return_error",
                "-verify_hostname", hostname, "-CAfile", "ca.crt"));
    }

    /** A shell command line in the test's directory that must succeed; its stdout. */
    private static String sh(String script) {
        Result result = stack.run(script, List.of("bash", "-euo", "pipefail", "-s"));
        assertEquals(0, result.exit(), script + "\n" + result);
        return result.out();
    }

    private static List<JsonNode> decisionsFor(String csrName) {
        return TopicRecords.payloads(kafka(), "csrflow.csr.decisions").stream()
                .filter(decision -> decision.path("csrName").asText().equals(csrName)).toList();
    }

    private static String kafka() {
        return "127.0.0.1:" + stack.ports.get("KAFKA");
    }

    private static JsonNode fleetStatus() throws Exception {
        return JSON.readTree(JavaProcess.get(stack.ports.get("FLEET"), "/status").body());
    }
}
