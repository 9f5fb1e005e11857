package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The emulator's contract with csrflow: one table of requests (method, path, body, caller) and what
 * a real API server answers them (status code, {@code Status.reason}, and the message where the
 * API server's wording is fixed), each row written from the Kubernetes test or source named beside
 * it. Authorization is not part of it: every row is sent by a cluster admin.
 */
class ApiConformanceTest {
    private static final String ADMIN = "admin-token";
    private static final String CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    private static final String CSR = CSRS + "/{name}";
    private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
    private static final String CSR_INVALID = "CertificateSigningRequest.certificates.k8s.io \"{name}\" is invalid: ";
    private static final String CSR_RESOURCE = "certificatesigningrequests.certificates.k8s.io \"{name}\"";
    private static final String STALE = "Operation cannot be fulfilled on " + CSR_RESOURCE + ": the object has been "
            + "modified; please apply your changes to the latest version and try again";
    private static final String SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
            + "[a-z0-9])?)*')";
    private static final String REQUEST = TestCsrs.request().base64();
    private static final String CERTIFICATE = TestCsrs.base64(TestCsrs.certificatePem("issued"));
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static HttpClient http;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    /** What exists before the row's request: nothing, or a CSR (or ConfigMap) named for the row. */
    enum Given { NOTHING, PENDING, APPROVED, ISSUED, FAILED, CONFIGMAP }

    /** A request body made from the row's name and the object as stored before the request (if any). */
    interface Body extends BiFunction<String, ObjectNode, String> {
    }

    /**
     * One request and its answer. {@code path} and {@code message} may hold {@code {name}}, the
     * row's object; a message ending in {@code *} is a prefix (what follows varies); a null message
     * means the API server's wording is not part of the contract.
     */
    record Row(String title, String source, Given given, String method, String path, Body body, boolean json,
               int code, String reason, String message, String detailsGroup, String detailsKind) {
        @Override
        public String toString() {
            return title;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                // ---- CSR create --------------------------------------------------------------------------
                row("create a CSR", "test/e2e/auth/certificates.go \"should support CSR API operations\" (create)",
                        Given.NOTHING, "POST", CSRS, csr(c -> { }), 201, null, null),
                row("create a CSR whose name is taken",
                        "apiserver registry/generic/registry/store.go create, storeerr.InterpretCreateError, "
                                + "errors.NewAlreadyExists",
                        Given.PENDING, "POST", CSRS, csr(c -> { }), 409, "AlreadyExists",
                        CSR_RESOURCE + " already exists", "certificates.k8s.io", "certificatesigningrequests"),
                row("create a CSR from generateName",
                        "apiserver registry/generic/registry/store.go create (names.SimpleNameGenerator)",
                        Given.NOTHING, "POST", CSRS, (name, stored) -> {
                            ObjectNode c = csrBody(name);
                            ((ObjectNode) c.get("metadata")).remove("name");
                            ((ObjectNode) c.get("metadata")).put("generateName", "csr-");
                            return Json.write(c);
                        }, 201, null, null),
                row("create a CSR without a name",
                        "apimachinery api/validation/objectmeta.go ValidateObjectMetaAccessor",
                        Given.NOTHING, "POST", CSRS, (name, stored) -> {
                            ObjectNode c = csrBody(name);
                            ((ObjectNode) c.get("metadata")).remove("name");
                            return Json.write(c);
                        }, 422, "Invalid", "CertificateSigningRequest.certificates.k8s.io \"\" is invalid: "
                                + "metadata.name: Required value: name or generateName is required",
                        "certificates.k8s.io", "CertificateSigningRequest"),
                row("create a CSR whose name is not a path segment",
                        "apiserver registry/rest/create.go BeforeCreate (validatePathSegment)",
                        Given.NOTHING, "POST", CSRS, (name, stored) -> {
                            ObjectNode c = csrBody(name);
                            ((ObjectNode) c.get("metadata")).put("name", name + "/x");
                            return Json.write(c);
                        }, 422, "Invalid", "CertificateSigningRequest.certificates.k8s.io \"{name}/x\" is invalid: "
                                + "metadata.name: Invalid value: \"{name}/x\": may not contain '/'",
                        "certificates.k8s.io", "CertificateSigningRequest"),
                row("create a CSR whose signerName has two slashes",
                        "validation_test.go TestValidateCertificateSigningRequestCreate \"signerName contains two '/'\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("signerName",
                                "an-invalid-signer-name.com/something/else")), 422, "Invalid", CSR_INVALID
                                + "spec.signerName: Invalid value: \"an-invalid-signer-name.com/something/else\": must "
                                + "be a fully qualified domain and path of the form 'example.com/signer-name'",
                        "certificates.k8s.io", "CertificateSigningRequest"),
                row("create a CSR whose signer domain has one label",
                        "validation_test.go \"signerName domain component is not fully qualified\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("signerName", "example/some-signer-name")),
                        422, "Invalid", CSR_INVALID + "spec.signerName: Invalid value: \"example\": should be a domain "
                                + "with at least two segments separated by dots", null, null),
                row("create a CSR whose signer path is upper case",
                        "apimachinery util/validation IsDNS1123Subdomain, via ValidateSignerName",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("signerName", "example.com/Signer")),
                        422, "Invalid", CSR_INVALID + "spec.signerName: Invalid value: \"Signer\": validating label "
                                + "\"Signer\": " + SUBDOMAIN_RULE, null, null),
                row("create a CSR for the legacy-unknown signer",
                        "validation_test.go Test_validateCertificateSigningRequestOptions \"legacy signer\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("signerName",
                                "kubernetes.io/legacy-unknown")), 422, "Invalid", CSR_INVALID + "spec.signerName: "
                                + "Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not "
                                + "allowed via this API version", null, null),
                row("create a CSR without usages", "validation_test.go \"CSR with no usages should fail\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).remove("usages")), 422, "Invalid",
                        CSR_INVALID + "spec.usages: Required value", null, null),
                row("create a CSR with a duplicate usage", "validation_test.go \"unknown and duplicate usages\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).putArray("usages").add("client auth")
                                .add("client auth")), 422, "Invalid",
                        CSR_INVALID + "spec.usages[1]: Duplicate value: \"client auth\"", null, null),
                row("create a CSR whose request is not PEM",
                        "validation_test.go \"CSR with invalid request data should fail\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("request", TestCsrs.base64("invalid data"))),
                        422, "Invalid", CSR_INVALID + "spec.request: Invalid value: \"aW52YWxpZCBkYXRh\": PEM block "
                                + "type must be CERTIFICATE REQUEST", null, null),
                row("create a CSR with a 1023-bit RSA key",
                        "Go 1.24 crypto/rsa checkKeySize, reached through validation.go validateCSR (CheckSignature)",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("request", RSA_1023)), 422, "Invalid",
                        CSR_INVALID + "spec.request: Invalid value: \"" + RSA_1023 + "\": crypto/rsa: 1023-bit keys "
                                + "are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)", null, null),
                row("create a CSR with an IP SAN of 5 bytes", "Go crypto/x509 parseSANExtension",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("request", IP5)), 422, "Invalid",
                        CSR_INVALID + "spec.request: Invalid value: \"" + IP5 + "\": x509: cannot parse IP address of "
                                + "length 5", null, null),
                row("create a CSR that expires in 599 seconds", "validation_test.go \"too short duration\"",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("expirationSeconds", 599)), 422, "Invalid",
                        CSR_INVALID + "spec.expirationSeconds: Invalid value: 599: may not specify a duration less "
                                + "than 600 seconds (10 minutes)", null, null),
                row("create a CSR whose expirationSeconds is beyond int32",
                        "apiserver endpoints/handlers/rest.go transformDecodeError (expirationSeconds is *int32)",
                        Given.NOTHING, "POST", CSRS, csr(c -> spec(c).put("expirationSeconds", 2147483648L)), 400,
                        "BadRequest", "CertificateSigningRequest in version \"v1\" cannot be handled as a "
                                + "CertificateSigningRequest: json: cannot unmarshal number 2147483648 into Go struct "
                                + "field CertificateSigningRequestSpec.spec.expirationSeconds of type int32",
                        null, null),
                row("create a CSR with several errors", "apimachinery api/errors NewInvalid (aggregated message)",
                        Given.NOTHING, "POST", CSRS, csr(c -> {
                            spec(c).remove("usages");
                            spec(c).remove("signerName");
                        }), 422, "Invalid", CSR_INVALID + "[spec.usages: Required value, spec.signerName: Required "
                                + "value]", "certificates.k8s.io", "CertificateSigningRequest"),

                // ---- CSR get, update, delete ----------------------------------------------------------------
                row("get a CSR that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", CSR, null, 404, "NotFound", CSR_RESOURCE + " not found",
                        "certificates.k8s.io", "certificatesigningrequests"),
                row("update a CSR that does not exist", "registry store.go Update (AllowCreateOnUpdate false)",
                        Given.NOTHING, "PUT", CSR, csr(c -> { }), 404, "NotFound", CSR_RESOURCE + " not found",
                        "certificates.k8s.io", "certificatesigningrequests"),
                row("update a CSR with a stale resourceVersion", "registry store.go Update (OptimisticLockErrorMsg)",
                        Given.PENDING, "PUT", CSR, stale(c -> { }), 409, "Conflict", STALE, "certificates.k8s.io",
                        "certificatesigningrequests"),
                row("update a CSR under another name", "apiserver endpoints/handlers/rest.go checkName",
                        Given.PENDING, "PUT", CSR, stored(c -> ((ObjectNode) c.get("metadata")).put("name", "other")),
                        400, "BadRequest", "the name of the object (other) does not match the name on the URL "
                                + "({name})", null, null),
                row("update a CSR's spec (kept as stored)", "strategy.go csrStrategy.PrepareForUpdate",
                        Given.PENDING, "PUT", CSR, stored(c -> spec(c).putArray("usages").add("server auth")), 200,
                        null, null),
                row("update a CSR with another uid", "apiserver storage Preconditions.Check, InterpretUpdateError",
                        Given.PENDING, "PUT", CSR, stored(c -> ((ObjectNode) c.get("metadata")).put("uid",
                                "00000000-0000-0000-0000-00000000dead")), 409, "Conflict", "Operation cannot be "
                                + "fulfilled on " + CSR_RESOURCE + ": StorageError: invalid object, Code: 4, Key: "
                                + "/registry/certificatesigningrequests/{name}, ResourceVersion: 0, AdditionalErrorMsg: "
                                + "Precondition failed: UID in precondition: 00000000-0000-0000-0000-00000000dead, UID "
                                + "in object meta: *", "certificates.k8s.io", "certificatesigningrequests"),
                row("delete a CSR", "test/e2e/auth/certificates.go \"should support CSR API operations\" (delete)",
                        Given.PENDING, "DELETE", CSR, null, 200, null, null),
                row("delete a CSR that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "DELETE", CSR, null, 404, "NotFound", CSR_RESOURCE + " not found", null, null),

                // ---- /approval ----------------------------------------------------------------------------
                row("approve", "test/e2e/auth/certificates.go (approval update)",
                        Given.PENDING, "PUT", CSR + "/approval", conditions("Approved"), 200, null, null),
                row("approve and deny at once",
                        "validation_test.go Test_validateCertificateSigningRequestOptions \"approved and denied\"",
                        Given.PENDING, "PUT", CSR + "/approval", conditions("Approved", "Denied"), 422, "Invalid",
                        CSR_INVALID + "status.conditions: Invalid value: \"Denied\": Approved and Denied conditions are "
                                + "mutually exclusive", "certificates.k8s.io", "CertificateSigningRequest"),
                row("approve with status False", "validation.go validateConditions (trueConditionTypes)",
                        Given.PENDING, "PUT", CSR + "/approval", (name, stored) -> withConditions(stored,
                                condition("Approved").put("status", "False")), 422, "Invalid", CSR_INVALID
                                + "status.conditions[0].status: Unsupported value: \"False\": supported values: "
                                + "\"True\"", null, null),
                row("remove the approval",
                        "validation_test.go TestValidateCertificateSigningRequestApprovalUpdate \"remove Approved "
                                + "condition\"",
                        Given.APPROVED, "PUT", CSR + "/approval", conditions(), 422, "Invalid", CSR_INVALID
                                + "status.conditions: Forbidden: updates may not remove a condition of type "
                                + "\"Approved\"", null, null),
                row("approve with a stale resourceVersion", "registry store.go Update (OptimisticLockErrorMsg)",
                        Given.PENDING, "PUT", CSR + "/approval", (name, stored) -> {
                            ObjectNode c = (ObjectNode) Json.parseObject(withConditions(stored, condition("Approved")));
                            ((ObjectNode) c.get("metadata")).put("resourceVersion", "1");
                            return Json.write(c);
                        }, 409, "Conflict", STALE, null, null),
                row("approve a CSR that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "PUT", CSR + "/approval", csr(c -> { }), 404, "NotFound",
                        CSR_RESOURCE + " not found", null, null),

                // ---- /status ------------------------------------------------------------------------------
                row("approve through /status",
                        "validation_test.go TestValidateCertificateSigningRequestStatusUpdate \"add Approved condition\"",
                        Given.PENDING, "PUT", CSR + "/status", conditions("Approved"), 422, "Invalid", CSR_INVALID
                                + "status.conditions: Forbidden: updates may not add a condition of type \"Approved\"",
                        null, null),
                row("remove a Failed condition through /status",
                        "validation_test.go TestValidateCertificateSigningRequestStatusUpdate \"remove Failed "
                                + "condition\"",
                        Given.FAILED, "PUT", CSR + "/status", (name, stored) -> withConditions(stored,
                                (ObjectNode) stored.path("status").path("conditions").get(0)), 422, "Invalid",
                        CSR_INVALID + "status.conditions: Forbidden: updates may not remove a condition of type "
                                + "\"Failed\"", null, null),
                row("issue the certificate", "test/e2e/auth/certificates.go (status update)",
                        Given.APPROVED, "PUT", CSR + "/status", certificate(CERTIFICATE), 200, null, null),
                row("change the certificate",
                        "validation_test.go TestValidateCertificateSigningRequestStatusUpdate \"reset certificate\"",
                        Given.ISSUED, "PUT", CSR + "/status", certificate(TestCsrs.base64(
                                TestCsrs.certificatePem("another"))), 422, "Invalid", CSR_INVALID
                                + "status.certificate: Forbidden: updates may not modify existing certificate content",
                        null, null),
                row("issue a certificate that is not PEM",
                        "validation_test.go \"status.certificate, no PEM\"",
                        Given.APPROVED, "PUT", CSR + "/status", certificate(TestCsrs.base64("not a certificate")), 422,
                        "Invalid", CSR_INVALID + "status.certificate: Invalid value: \"<certificate data>\": must "
                                + "contain at least one CERTIFICATE PEM block", null, null),
                row("issue a CERTIFICATE REQUEST block",
                        "validation_test.go \"status.certificate, non-CERTIFICATE PEM\"",
                        Given.APPROVED, "PUT", CSR + "/status", certificate(REQUEST), 422, "Invalid", CSR_INVALID
                                + "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM "
                                + "blocks are allowed, found \"CERTIFICATE REQUEST\"", null, null),
                row("issue with a stale resourceVersion", "registry store.go Update (OptimisticLockErrorMsg)",
                        Given.APPROVED, "PUT", CSR + "/status", (name, stored) -> {
                            ObjectNode c = Json.parseObject(certificate(CERTIFICATE).apply(name, stored));
                            ((ObjectNode) c.get("metadata")).put("resourceVersion", "1");
                            return Json.write(c);
                        }, 409, "Conflict", STALE, null, null),
                new Row("issue with a body that has no Content-Type (kubectl replace --raw -f -)",
                        "apiserver endpoints/handlers/negotiation NegotiateInputSerializerForMediaType (no media "
                                + "type: the first supported, JSON)",
                        Given.APPROVED, "PUT", CSR + "/status", certificate(CERTIFICATE), false, 200, null, null, null,
                        null),

                // ---- the other kinds' errors ------------------------------------------------------------------
                row("get a ConfigMap that does not exist", "apimachinery api/errors NewNotFound (core group)",
                        Given.NOTHING, "GET", CONFIGMAPS + "/{name}", null, 404, "NotFound",
                        "configmaps \"{name}\" not found", "", "configmaps"),
                row("create a ConfigMap whose name is taken", "apimachinery api/errors NewAlreadyExists",
                        Given.CONFIGMAP, "POST", CONFIGMAPS, (name, stored) -> configMapJson(name), 409,
                        "AlreadyExists", "configmaps \"{name}\" already exists", "", "configmaps"),
                row("update a ConfigMap with a stale resourceVersion", "registry store.go Update",
                        Given.CONFIGMAP, "PUT", CONFIGMAPS + "/{name}", stale(c -> { }), 409, "Conflict",
                        "Operation cannot be fulfilled on configmaps \"{name}\": the object has been modified; please "
                                + "apply your changes to the latest version and try again", "", "configmaps"),
                row("create a ConfigMap whose name is not a DNS subdomain",
                        "core validation ValidateConfigMapName (NameIsDNSSubdomain)",
                        Given.NOTHING, "POST", CONFIGMAPS, (name, stored) -> configMapJson("Bad_" + name), 422,
                        "Invalid", "ConfigMap \"Bad_{name}\" is invalid: metadata.name: Invalid value: \"Bad_{name}\": "
                                + SUBDOMAIN_RULE, "", "ConfigMap"),
                row("get a Lease that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/{name}", null,
                        404, "NotFound", "leases.coordination.k8s.io \"{name}\" not found", "coordination.k8s.io",
                        "leases"),
                row("get a Node that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", "/api/v1/nodes/{name}", null, 404, "NotFound",
                        "nodes \"{name}\" not found", "", "nodes"),
                row("get a Secret that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", "/api/v1/namespaces/default/secrets/{name}", null, 404, "NotFound",
                        "secrets \"{name}\" not found", "", "secrets"),
                row("get an Event that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", "/apis/events.k8s.io/v1/namespaces/default/events/{name}", null, 404,
                        "NotFound", "events.events.k8s.io \"{name}\" not found", "events.k8s.io", "events"),
                row("get a Namespace that does not exist", "apimachinery api/errors NewNotFound",
                        Given.NOTHING, "GET", "/api/v1/namespaces/{name}", null, 404, "NotFound",
                        "namespaces \"{name}\" not found", "", "namespaces"));
    }

    private static final String RSA_1023 = TestCsrs.request(TestCsrs.rsa(1023, TestCsrs.F4), "SHA256withRSA")
            .base64();
    private static final String IP5 = TestCsrs.request().altName(TestCsrs.altName(7, new byte[5])).base64();

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answersAsTheApiServer(Row row) throws Exception {
        String name = "conformance-" + NAMES.incrementAndGet();
        ObjectNode stored = given(row.given(), name);
        String body = row.body() == null ? null : row.body().apply(name, stored);
        HttpResponse<String> response = send(row.method(), row.path().replace("{name}", name), body, row.json());

        String context = row.title() + " (" + row.source() + "): " + response.body();
        assertEquals(row.code(), response.statusCode(), context);
        if (row.code() < 400) {
            return;
        }
        JsonNode status = Json.MAPPER.readTree(response.body());
        assertEquals("Status", status.path("kind").asText(), context);
        assertEquals("Failure", status.path("status").asText(), context);
        assertEquals(row.code(), status.path("code").asInt(), context);
        assertEquals(row.reason(), status.path("reason").asText(), context);
        if (row.message() != null && row.message().endsWith("*")) {
            String prefix = row.message().substring(0, row.message().length() - 1).replace("{name}", name);
            assertTrue(status.path("message").asText().startsWith(prefix), context);
        } else if (row.message() != null) {
            assertEquals(row.message().replace("{name}", name), status.path("message").asText(), context);
        }
        if (row.detailsKind() != null) {
            JsonNode details = status.path("details");
            assertEquals(row.detailsKind(), details.path("kind").asText(), context);
            assertEquals(row.detailsGroup().isEmpty(), !details.has("group"), context);
            assertEquals(row.detailsGroup(), details.path("group").asText(), context);
            if (row.reason().equals("Invalid")) {
                assertTrue(details.path("causes").size() > 0, context);
                details.path("causes").forEach(cause -> {
                    assertTrue(cause.path("reason").asText().startsWith("FieldValue"), context);
                    assertFalse(cause.path("field").asText().isEmpty(), context);
                    assertTrue(status.path("message").asText().contains(cause.path("message").asText()), context);
                });
            }
        }
    }

    @Test
    void kubectlReplaceRawSendsAStatusWithoutContentType() throws Exception {
        try (KubeEmulator tls = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", 0, true)) {
            Path kubeconfig = tls.writeKubeconfig(dir.resolve("kubeconfig"), ADMIN);
            String name = "conformance-kubectl";
            kubectl(kubeconfig, null, "create", "-f", write(csrJson(name)).toString());
            String approval = Openssl.run(dir, "kubectl", "--kubeconfig", kubeconfig.toString(), "get", "csr", name,
                    "-o", "json");
            ObjectNode csr = Json.parseObject(approval);
            csr.putObject("status").putArray("conditions").add(condition("Approved"));
            kubectl(kubeconfig, Json.write(csr), "replace", "--raw", CSR.replace("{name}", name) + "/approval", "-f",
                    "-");
            ObjectNode approved = Json.parseObject(kubectl(kubeconfig, null, "get", "csr", name, "-o", "json"));
            ((ObjectNode) approved.get("status")).put("certificate", CERTIFICATE);

            String answer = kubectl(kubeconfig, Json.write(approved), "replace", "--raw",
                    CSR.replace("{name}", name) + "/status", "-f", "-");

            assertEquals(CERTIFICATE, Json.parseObject(answer).path("status").path("certificate").asText(), answer);
        }
    }

    // ---- the rows' requests ---------------------------------------------------------------------------

    static Row row(String title, String source, Given given, String method, String path, Body body, int code,
            String reason, String message) {
        return new Row(title, source, given, method, path, body, true, code, reason, message, null, null);
    }

    static Row row(String title, String source, Given given, String method, String path, Body body, int code,
            String reason, String message, String detailsGroup, String detailsKind) {
        return new Row(title, source, given, method, path, body, true, code, reason, message, detailsGroup,
                detailsKind);
    }

    static ObjectNode csrBody(String name) {
        ObjectNode csr = Json.MAPPER.createObjectNode();
        csr.put("apiVersion", "certificates.k8s.io/v1").put("kind", "CertificateSigningRequest");
        csr.putObject("metadata").put("name", name);
        ObjectNode spec = csr.putObject("spec");
        spec.put("request", REQUEST);
        spec.put("signerName", "kubernetes.io/kube-apiserver-client-kubelet");
        spec.putArray("usages").add("digital signature").add("client auth");
        return csr;
    }

    static String csrJson(String name) {
        return Json.write(csrBody(name));
    }

    static ObjectNode spec(ObjectNode csr) {
        return (ObjectNode) csr.get("spec");
    }

    /** A new CSR named for the row, changed. */
    static Body csr(Consumer<ObjectNode> change) {
        return (name, stored) -> {
            ObjectNode c = csrBody(name);
            change.accept(c);
            return Json.write(c);
        };
    }

    /** The stored object, changed. */
    static Body stored(Consumer<ObjectNode> change) {
        return (name, stored) -> {
            ObjectNode c = stored.deepCopy();
            change.accept(c);
            return Json.write(c);
        };
    }

    /** The stored object with a resourceVersion that is no longer the stored one. */
    static Body stale(Consumer<ObjectNode> change) {
        return stored(c -> {
            ((ObjectNode) c.get("metadata")).put("resourceVersion", "1");
            change.accept(c);
        });
    }

    /** The stored CSR with exactly these conditions. */
    static Body conditions(String... types) {
        return (name, stored) -> withConditions(stored, Stream.of(types).map(ApiConformanceTest::condition)
                .toArray(ObjectNode[]::new));
    }

    /** The stored CSR with this certificate. */
    static Body certificate(String base64) {
        return (name, stored) -> {
            ObjectNode c = stored.deepCopy();
            Json.object(c, "status").put("certificate", base64);
            return Json.write(c);
        };
    }

    static String withConditions(ObjectNode stored, ObjectNode... conditions) {
        ObjectNode c = stored.deepCopy();
        ArrayNode array = Json.object(c, "status").putArray("conditions");
        for (ObjectNode condition : conditions) {
            array.add(condition);
        }
        return Json.write(c);
    }

    static ObjectNode condition(String type) {
        return Json.MAPPER.createObjectNode().put("type", type).put("status", "True").put("reason", "Conformance")
                .put("message", "set by the conformance table");
    }

    static String configMapJson(String name) {
        ObjectNode cm = Json.MAPPER.createObjectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", name);
        cm.putObject("data").put("k", "v");
        return Json.write(cm);
    }

    /** Makes the row's object exist in the state the row starts from, and returns it as stored. */
    static ObjectNode given(Given given, String name) throws IOException, InterruptedException {
        String csr = CSR.replace("{name}", name);
        switch (given) {
            case NOTHING:
                return null;
            case CONFIGMAP:
                return ok(send("POST", CONFIGMAPS, configMapJson(name), true));
            default:
                break;
        }
        ObjectNode created = ok(send("POST", CSRS, csrJson(name), true));
        if (given == Given.PENDING) {
            return created;
        }
        ObjectNode approved = ok(send("PUT", csr + "/approval", withConditions(created, condition("Approved")), true));
        return switch (given) {
            case APPROVED -> approved;
            case ISSUED -> ok(send("PUT", csr + "/status", certificate(CERTIFICATE).apply(name, approved), true));
            default -> ok(send("PUT", csr + "/status", withConditions(approved,
                    (ObjectNode) approved.path("status").path("conditions").get(0), condition("Failed")), true));
        };
    }

    static ObjectNode ok(HttpResponse<String> response) {
        assertTrue(response.statusCode() < 300, response.body());
        return Json.parseObject(response.body());
    }

    static HttpResponse<String> send(String method, String path, String body, boolean json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer " + ADMIN).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else if (json) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            // No Content-Type, and chunked (no Content-Length), as kubectl sends a body read from stdin.
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            request.method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String kubectl(Path kubeconfig, String stdin, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return Openssl.runWithInput(dir, stdin, command.toArray(String[]::new));
    }

    private static Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "object", ".json");
        Files.writeString(file, json);
        return file;
    }
}
