package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.csrflow.emulator.KubectlSession.Run;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The real kubectl against the emulator over HTTPS, each command as an administrator types it,
 * asserted on what kubectl prints. No {@code --validate=false}: kubectl reads the OpenAPI documents
 * and asks the server to validate.
 */
class KubectlCommandsTest {
    private static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";

    @TempDir
    static Path dir;
    static KubectlSession session;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws IOException {
        session = KubectlSession.start(dir);
        admin = session.admin;
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    private static Run kubectl(String stdin, String... args) {
        return session.run(stdin, args);
    }

    private static String ok(String... args) {
        return session.ok(args);
    }

    private static String fails(String... args) {
        return session.fails(args);
    }

    private static Path manifest(String name, String extraSpec, String extraMetadata) throws IOException {
        String pem = Openssl.csr(dir, "/O=system:nodes/CN=system:node:" + name);
        Path file = dir.resolve(name + "-" + System.nanoTime() + ".yaml");
        Files.writeString(file, """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: %s
                %s
                spec:
                  request: %s
                  signerName: kubernetes.io/kube-apiserver-client-kubelet
                  expirationSeconds: 86400
                  usages: [digital signature, client auth]
                %s
                """.formatted(name, extraMetadata, Base64.getEncoder().encodeToString(pem.getBytes(
                StandardCharsets.US_ASCII)), extraSpec));
        return file;
    }

    private static Path manifest(String name) throws IOException {
        return manifest(name, "", "");
    }

    private static CertificateSigningRequest csr(String name) {
        return admin.certificates().v1().certificateSigningRequests().withName(name).get();
    }

    /**
     * A table kubectl printed, cut at the columns its header starts (kubectl aligns every cell under
     * its header): one map per row, header to cell.
     */
    private static List<Map<String, String>> table(String output) {
        List<String> lines = output.lines().toList();
        String header = lines.get(0);
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String name : header.split(" {2,}")) {
            starts.add(header.indexOf(name, starts.isEmpty() ? 0 : starts.get(starts.size() - 1) + 1));
            names.add(name);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                int from = Math.min(starts.get(i), line.length());
                int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                row.put(names.get(i), line.substring(from, to).strip());
            }
            rows.add(row);
        }
        return rows;
    }

    private static String header(String output) {
        return String.join(" ", output.lines().findFirst().orElseThrow().split(" {2,}"));
    }

    @Test
    void appliesACsrThenFindsItUnchangedThenConfiguresANewLabel() throws IOException {
        Path first = manifest("apply-twice");
        Path relabelled = dir.resolve("apply-twice-labelled.yaml");
        Files.writeString(relabelled, Files.readString(first).replace("  name: apply-twice\n",
                "  name: apply-twice\n  labels:\n    team: blue\n"));

        assertEquals("certificatesigningrequest.certificates.k8s.io/apply-twice created\n",
                ok("apply", "-f", first.toString()));
        assertEquals("certificatesigningrequest.certificates.k8s.io/apply-twice unchanged\n",
                ok("apply", "-f", first.toString()));
        assertEquals("certificatesigningrequest.certificates.k8s.io/apply-twice configured\n",
                ok("apply", "-f", relabelled.toString()));

        assertEquals(Map.of("team", "blue"), csr("apply-twice").getMetadata().getLabels());
        assertEquals("kubernetes-admin", csr("apply-twice").getSpec().getUsername());
    }

    @Test
    void createsACsrWithServerSideValidation() throws IOException {
        assertEquals("certificatesigningrequest.certificates.k8s.io/created-csr created\n",
                ok("create", "-f", manifest("created-csr").toString()));
        assertEquals(KUBELET_CLIENT, csr("created-csr").getSpec().getSignerName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "apply"})
    void refusesAManifestWithAnUnknownFieldAsTheServerDoes(String verb) throws IOException {
        Path file = manifest("unknown-field-" + verb, "  bogus: 1", "");

        assertEquals("Error from server (BadRequest): error when creating \"" + file + "\": CertificateSigningRequest "
                + "in version \"v1\" cannot be handled as a CertificateSigningRequest: strict decoding error: unknown "
                + "field \"spec.bogus\"", fails(verb, "-f", file.toString()));
        assertEquals(null, csr("unknown-field-" + verb));
    }

    @Test
    void warnsOfAnUnknownFieldWhenToldToWarn() throws IOException {
        Run run = kubectl(null, "create", "--validate=warn", "-f", manifest("warned-field", "  bogus: 1", "")
                .toString());

        assertEquals(0, run.code(), run.err());
        assertEquals("Warning: unknown field \"spec.bogus\"\n", run.err());
        assertEquals("certificatesigningrequest.certificates.k8s.io/warned-field created\n", run.out());
    }

    @Test
    void appliesServerSideAndAppliesAgain() throws IOException {
        Path file = manifest("server-side");

        assertEquals("certificatesigningrequest.certificates.k8s.io/server-side serverside-applied\n",
                ok("apply", "--server-side", "-f", file.toString()));
        assertEquals("certificatesigningrequest.certificates.k8s.io/server-side serverside-applied\n",
                ok("apply", "--server-side", "-f", file.toString()));

        var managed = csr("server-side").getMetadata().getManagedFields();
        assertEquals(1, managed.size());
        assertEquals("kubectl", managed.get(0).getManager());
        assertEquals("Apply", managed.get(0).getOperation());
        assertEquals("kubernetes-admin", csr("server-side").getSpec().getUsername());
    }

    @Test
    void labelsAndAnnotatesACsrOverwritesOnlyWhenToldAndRemovesWithAMinus() throws IOException {
        ok("create", "-f", manifest("labelled").toString());
        String csr = "certificatesigningrequest.certificates.k8s.io/labelled";

        assertEquals(csr + " labeled\n", ok("label", "csr", "labelled", "tier=x"));
        assertEquals("error: 'tier' already has a value (x), and --overwrite is false",
                fails("label", "csr", "labelled", "tier=y"));
        assertEquals(csr + " labeled\n", ok("label", "csr", "labelled", "tier=y", "--overwrite"));
        assertEquals(Map.of("tier", "y"), csr("labelled").getMetadata().getLabels());
        assertEquals(csr + " unlabeled\n", ok("label", "csr", "labelled", "tier-"));
        assertEquals("", ok("get", "csr", "labelled", "-o", "jsonpath={.metadata.labels}"));

        assertEquals(csr + " annotated\n", ok("annotate", "csr", "labelled", "team=blue"));
        assertEquals("error: --overwrite is false but found the following declared annotation(s): 'team' already has "
                + "a value (blue)", fails("annotate", "csr", "labelled", "team=red"));
        assertEquals(csr + " annotated\n", ok("annotate", "csr", "labelled", "team=red", "--overwrite"));
        assertEquals("red", csr("labelled").getMetadata().getAnnotations().get("team"));
        assertEquals(csr + " annotated\n", ok("annotate", "csr", "labelled", "team-"));
        assertEquals("", ok("get", "csr", "labelled", "-o", "jsonpath={.metadata.annotations}"));
    }

    @Test
    void getOfAMissingCsrIsNotFound() {
        assertEquals("Error from server (NotFound): certificatesigningrequests.certificates.k8s.io \"nope\" not found",
                fails("get", "csr", "nope"));
    }

    @Test
    void createOfAnInvalidCsrNamesTheField() throws IOException {
        Path file = manifest("too-short", "", "");
        Files.writeString(file, Files.readString(file).replace("expirationSeconds: 86400", "expirationSeconds: 100"));

        assertEquals("The CertificateSigningRequest \"too-short\" is invalid: spec.expirationSeconds: Invalid value: "
                + "100: may not specify a duration less than 600 seconds (10 minutes)", fails("create", "-f", file.toString()));
    }

    @Test
    void listsCsrsWithTheServersColumns() throws IOException {
        ok("create", "-f", manifest("listed").toString());
        ok("certificate", "approve", "listed");

        String output = ok("get", "csr", "listed");

        assertEquals("NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION", header(output));
        Map<String, String> row = table(output).get(0);
        assertTrue(row.get("AGE").matches("\\d+s"), row.toString());
        row.put("AGE", "");
        assertEquals(Map.of("NAME", "listed", "AGE", "", "SIGNERNAME", KUBELET_CLIENT, "REQUESTOR", "kubernetes-admin",
                "REQUESTEDDURATION", "24h", "CONDITION", "Approved"), row);
    }

    /** The PEM of a certificate for the CSR's key, signed by a throwaway CA (openssl x509 -req). */
    private static String certificateFor(String csrPem) throws IOException {
        Path caKey = dir.resolve("ca-" + System.nanoTime() + ".key");
        Path caCert = dir.resolve("ca-" + System.nanoTime() + ".crt");
        Path request = dir.resolve("request-" + System.nanoTime() + ".csr");
        Files.writeString(request, csrPem);
        Openssl.run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey.toString());
        Openssl.run(dir, "openssl", "req", "-x509", "-new", "-key", caKey.toString(), "-subj", "/CN=throwaway-ca",
                "-days", "1", "-out", caCert.toString());
        return Openssl.run(dir, "openssl", "x509", "-req", "-in", request.toString(), "-CA", caCert.toString(),
                "-CAkey", caKey.toString(), "-days", "1");
    }

    private static String statusJson(String name, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectNode object = (ObjectNode) Json.MAPPER.readTree(ok("get", "csr", name, "-o", "json"));
        change.accept(object);
        return Json.write(object);
    }

    @Test
    void replaceRawOfTheStatusUploadsTheCertificateOfAnApprovedCsr() throws Exception {
        ok("create", "-f", manifest("issued").toString());
        ok("certificate", "approve", "issued");
        String csrPem = new String(Base64.getDecoder().decode(csr("issued").getSpec().getRequest()),
                StandardCharsets.US_ASCII);
        String certificate = certificateFor(csrPem);
        String body = statusJson("issued", o -> ((ObjectNode) o.path("status")).put("certificate",
                Base64.getEncoder().encodeToString(certificate.getBytes(StandardCharsets.US_ASCII))));

        Run run = kubectl(body, "replace", "--raw",
                "/apis/certificates.k8s.io/v1/certificatesigningrequests/issued/status", "-f", "-");

        assertEquals(0, run.code(), run.err());
        assertEquals("issued", Json.MAPPER.readTree(run.out()).path("metadata").path("name").asText());
        assertEquals("Approved,Issued", table(ok("get", "csr", "issued")).get(0).get("CONDITION"));
        String stored = new String(Base64.getDecoder().decode(csr("issued").getStatus().getCertificate()),
                StandardCharsets.US_ASCII);
        assertEquals(certificate, stored);
        X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(stored.getBytes(StandardCharsets.US_ASCII)));
        try (PEMParser parser = new PEMParser(new java.io.StringReader(csrPem))) {
            PKCS10CertificationRequest request = (PKCS10CertificationRequest) parser.readObject();
            assertEquals(new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo()), issued.getPublicKey());
        }
        assertEquals("CN=throwaway-ca", issued.getIssuerX500Principal().getName());
    }

    @Test
    void replaceRawOfTheStatusMayNotDropAFailedCondition() throws Exception {
        ok("create", "-f", manifest("failed").toString());
        ok("certificate", "approve", "failed");
        ok("replace", "--raw", "/apis/certificates.k8s.io/v1/certificatesigningrequests/failed/status", "-f",
                writeTemp(statusJson("failed", o -> ((ArrayNode) o.path("status").path("conditions")).addObject()
                        .put("type", "Failed").put("status", "True").put("reason", "SignerError")
                        .put("message", "no CA"))));
        assertEquals("Approved,Failed", table(ok("get", "csr", "failed")).get(0).get("CONDITION"));
        String withoutFailed = statusJson("failed", o -> {
            ArrayNode conditions = (ArrayNode) o.path("status").path("conditions");
            for (int i = conditions.size() - 1; i >= 0; i--) {
                if (conditions.get(i).path("type").asText().equals("Failed")) {
                    conditions.remove(i);
                }
            }
        });

        Run run = kubectl(withoutFailed, "replace", "--raw",
                "/apis/certificates.k8s.io/v1/certificatesigningrequests/failed/status", "-f", "-");

        assertEquals(1, run.code(), run.out());
        assertEquals("The CertificateSigningRequest \"failed\" is invalid: status.conditions: Forbidden: updates may "
                + "not remove a condition of type \"Failed\"", run.err().strip());
        assertEquals("Approved,Failed", table(ok("get", "csr", "failed")).get(0).get("CONDITION"));
    }

    private static String writeTemp(String content) throws IOException {
        Path file = Files.createTempFile(dir, "body", ".json");
        Files.writeString(file, content);
        return file.toString();
    }

    private static String ago(Duration duration) {
        return Instant.now().minus(duration).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void listsEventsAboutACsrWithTheServersColumns() {
        admin.v1().events().inNamespace("csr-events").resource(new EventBuilder().withNewMetadata()
                .withName("issued.1").endMetadata().withNewInvolvedObject().withApiVersion("certificates.k8s.io/v1")
                .withKind("CertificateSigningRequest").withName("issued").endInvolvedObject()
                .withType("Normal").withReason("CertificateIssued").withMessage("issued by the csrflow signer\n")
                .withNewSource().withComponent("csrflow-signer").withHost("signer-0").endSource()
                .withFirstTimestamp(ago(Duration.ofDays(3))).withLastTimestamp(ago(Duration.ofHours(10)))
                .withCount(4).build()).create();

        String plain = ok("get", "events", "-n", "csr-events");
        String wide = ok("get", "events", "-n", "csr-events", "-o", "wide");

        assertEquals("LAST SEEN TYPE REASON OBJECT MESSAGE", header(plain));
        assertEquals(List.of(Map.of("LAST SEEN", "10h", "TYPE", "Normal", "REASON", "CertificateIssued",
                "OBJECT", "certificatesigningrequest/issued", "MESSAGE", "issued by the csrflow signer")), table(plain));
        assertEquals("LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME", header(wide));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("LAST SEEN", "10h");
        expected.put("TYPE", "Normal");
        expected.put("REASON", "CertificateIssued");
        expected.put("OBJECT", "certificatesigningrequest/issued");
        expected.put("SUBOBJECT", "");
        expected.put("SOURCE", "csrflow-signer, signer-0");
        expected.put("MESSAGE", "issued by the csrflow signer");
        expected.put("FIRST SEEN", "3d");
        expected.put("COUNT", "4");
        expected.put("NAME", "issued.1");
        assertEquals(List.of(expected), table(wide));
    }

    @Test
    void listsNodesWithStatusRolesAndVersion() {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("cp-1")
                .addToLabels("node-role.kubernetes.io/control-plane", "").addToLabels("node-role.kubernetes.io/etcd", "")
                .addToLabels("kubernetes.io/hostname", "cp-1").endMetadata()
                .withNewStatus().addNewCondition().withType("MemoryPressure").withStatus("False").endCondition()
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0.1").endAddress()
                .addNewAddress().withType("ExternalIP").withAddress("203.0.113.1").endAddress()
                .withNewNodeInfo().withKubeletVersion("v1.32.4").withOsImage("Debian GNU/Linux 12 (bookworm)")
                .withKernelVersion("6.1.0-18-amd64").withContainerRuntimeVersion("containerd://1.7.13")
                .withOperatingSystem("linux").withArchitecture("amd64").endNodeInfo().endStatus().build()).create();
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-1")
                .addToLabels("kubernetes.io/role", "worker").endMetadata().withNewSpec().withUnschedulable(true)
                .endSpec().withNewStatus().addNewCondition().withType("Ready").withStatus("Unknown").endCondition()
                .endStatus().build()).create();
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-2").endMetadata().build()).create();

        List<Map<String, String>> plain = table(ok("get", "nodes", "cp-1", "worker-1", "worker-2"));
        List<Map<String, String>> wide = table(ok("get", "nodes", "cp-1", "worker-1", "worker-2", "-o", "wide"));

        assertEquals("NAME STATUS ROLES AGE VERSION", header(ok("get", "nodes", "cp-1")));
        assertEquals("NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME",
                header(ok("get", "nodes", "cp-1", "-o", "wide")));
        List<List<String>> cells = new ArrayList<>();
        for (List<Map<String, String>> rows : List.of(plain, wide)) {
            for (Map<String, String> row : rows) {
                assertTrue(row.get("AGE").matches("\\d+s"), row.toString());
                row.remove("AGE");
                cells.add(List.copyOf(row.values()));
            }
        }
        assertEquals(List.of(
                List.of("cp-1", "Ready", "control-plane,etcd", "v1.32.4"),
                List.of("worker-1", "NotReady,SchedulingDisabled", "worker", ""),
                List.of("worker-2", "Unknown", "<none>", ""),
                List.of("cp-1", "Ready", "control-plane,etcd", "v1.32.4", "10.0.0.1", "203.0.113.1",
                        "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "containerd://1.7.13"),
                List.of("worker-1", "NotReady,SchedulingDisabled", "worker", "", "<none>", "<none>", "<unknown>",
                        "<unknown>", "<unknown>"),
                List.of("worker-2", "Unknown", "<none>", "", "<none>", "<none>", "<unknown>", "<unknown>",
                        "<unknown>")), cells);
    }

    @Test
    void describesACsrWithItsSubjectAndEvents() throws IOException {
        ok("create", "-f", manifest("described").toString());
        ok("label", "csr", "described", "team=blue");
        String uid = csr("described").getMetadata().getUid();
        admin.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                .withName("described.1").endMetadata().withNewInvolvedObject().withKind("CertificateSigningRequest")
                .withName("described").withUid(uid).endInvolvedObject().withType("Normal").withReason("Approved")
                .withMessage("approved by policy").withNewSource().withComponent("csrflow-approver").endSource()
                .withFirstTimestamp(ago(Duration.ofHours(10))).withLastTimestamp(ago(Duration.ofHours(10)))
                .withCount(1).build()).create();

        List<String> lines = ok("describe", "csr", "described").lines().toList();

        assertTrue(lines.get(3).matches("CreationTimestamp:   \\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000"),
                lines.get(3));
        assertEquals(List.of(
                "Name:                described",
                "Labels:              team=blue",
                "Annotations:         <none>",
                "Requesting User:     kubernetes-admin",
                "Signer:              " + KUBELET_CLIENT,
                "Requested Duration:  24h",
                "Status:              Pending",
                "Subject:",
                "  Common Name:    system:node:described",
                "  Serial Number:  ",
                "  Organization:   system:nodes",
                "Events:",
                "  Type    Reason    Age   From              Message",
                "  ----    ------    ----  ----              -------",
                "  Normal  Approved  10h   csrflow-approver  approved by policy"),
                lines.stream().filter(l -> !l.startsWith("CreationTimestamp:")).toList());
    }
}
