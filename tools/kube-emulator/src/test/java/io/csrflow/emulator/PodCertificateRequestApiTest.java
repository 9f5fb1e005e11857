package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code certificates.k8s.io/v1beta1} PodCertificateRequests over HTTP, as kube-apiserver 1.35 serves
 * them: a kubelet creates one for a pod bound to it (NodeRestriction refuses anything else, with the
 * API server's codes and words), the key and proof of possession are checked, a signer with
 * {@code sign} on the signer issues, denies or fails it through {@code /status} under the status
 * rules, and nodes read only their own requests.
 */
class PodCertificateRequestApiTest {
    private static final String NS = "pcr";
    private static final String PCRS = "/apis/certificates.k8s.io/v1beta1/namespaces/" + NS + "/podcertificaterequests";
    private static final String SIGNER = "example.com/pods";
    private static final String ADMIN = "admin-token";
    private static final String NODE_1 = "pcr-node-1-token";
    private static final String NODE_2 = "pcr-node-2-token";
    private static final String SIGNER_TOKEN = "pcr-signer-token";
    private static final String WRITER_TOKEN = "pcr-status-writer-token";
    private static final String NOBODY_TOKEN = "pcr-nobody-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final KeyPair P256 = TestCsrs.ec("secp256r1");

    static KubeEmulator emulator;
    static String webUid;
    static String awayUid;
    static String mirrorUid;
    static String accountUid;
    static String node1Uid;
    static int counter;

    record Answer(int code, JsonNode body) {
        String message() {
            return body.path("message").asText();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        emulator = KubeEmulator.startDefault();
        emulator.addUser(new EmulatorConfig.User(NODE_1, "system:node:node-1", null, List.of("system:nodes"), null));
        emulator.addUser(new EmulatorConfig.User(NODE_2, "system:node:node-2", null, List.of("system:nodes"), null));
        emulator.addUser(new EmulatorConfig.User(SIGNER_TOKEN, "pod-signer", null, List.of(), null));
        emulator.addUser(new EmulatorConfig.User(WRITER_TOKEN, "status-writer", null, List.of(), null));
        emulator.addUser(new EmulatorConfig.User(NOBODY_TOKEN, "somebody", null, List.of(), null));
        ok(send("POST", "/api/v1/namespaces", ADMIN, "{\"metadata\":{\"name\":\"" + NS + "\"}}"));
        accountUid = uid(ok(send("POST", "/api/v1/namespaces/" + NS + "/serviceaccounts", ADMIN,
                "{\"metadata\":{\"name\":\"workload\"}}")));
        node1Uid = uid(ok(send("POST", "/api/v1/nodes", ADMIN, "{\"metadata\":{\"name\":\"node-1\"}}")));
        ok(send("POST", "/api/v1/nodes", ADMIN, "{\"metadata\":{\"name\":\"node-2\"}}"));
        webUid = uid(ok(send("POST", "/api/v1/namespaces/" + NS + "/pods", ADMIN, pod("web", "node-1", ""))));
        awayUid = uid(ok(send("POST", "/api/v1/namespaces/" + NS + "/pods", ADMIN, pod("away", "node-2", ""))));
        mirrorUid = uid(ok(send("POST", "/api/v1/namespaces/" + NS + "/pods", ADMIN, pod("static", "node-1",
                "\"annotations\":{\"kubernetes.io/config.mirror\":\"abc\"},"))));
        role("pcr-signer", "pod-signer", ",{\"apiGroups\":[\"certificates.k8s.io\"],\"resources\":[\"signers\"],"
                + "\"resourceNames\":[\"example.com/*\"],\"verbs\":[\"sign\"]}");
        role("pcr-status-writer", "status-writer", "");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    /** What a kubelet reads to fill a request: its pod, the pod's ServiceAccount, its Node; nothing of another node's. */
    @Test
    void aNodeReadsItsOwnPodsTheirServiceAccountAndItsNodeOnly() throws Exception {
        assertEquals(200, send("GET", "/api/v1/namespaces/" + NS + "/pods/web", NODE_1, null).code());
        assertEquals(200, send("GET", "/api/v1/namespaces/" + NS + "/serviceaccounts/workload", NODE_1, null).code());
        assertEquals(200, send("GET", "/api/v1/nodes/node-1", NODE_1, null).code());
        Answer otherPod = send("GET", "/api/v1/namespaces/" + NS + "/pods/away", NODE_1, null);
        assertEquals(403, otherPod.code());
        assertTrue(otherPod.message().contains("no relationship found between node 'node-1' and this object"),
                otherPod.message());
        ok(send("POST", "/api/v1/namespaces/" + NS + "/serviceaccounts", ADMIN, "{\"metadata\":{\"name\":\"unused\"}}"));
        assertEquals(403, send("GET", "/api/v1/namespaces/" + NS + "/serviceaccounts/unused", NODE_1, null).code());
        assertEquals(403, send("GET", "/api/v1/nodes/node-2", NODE_1, null).code());
    }

    // ---- creating -----------------------------------------------------------------------------

    @Test
    void aNodeCreatesARequestForItsOwnBoundPodWithTheDefaultLifetime() throws Exception {
        Answer created = send("POST", PCRS, NODE_1, request("own", SIGNER, P256, spec -> spec.remove(
                "maxExpirationSeconds")));

        assertEquals(201, created.code(), created.body().toString());
        assertEquals(86400, created.body().path("spec").path("maxExpirationSeconds").asInt());
        assertEquals("PodCertificateRequest", created.body().path("kind").asText());
        assertEquals("certificates.k8s.io/v1beta1", created.body().path("apiVersion").asText());
        assertTrue(created.body().path("status").isObject() && created.body().path("status").isEmpty(),
                created.body().toString());
    }

    @Test
    void aCreateCannotBringAStatusOrFieldsTheTypeDoesNotHave() throws Exception {
        Answer created = send("POST", PCRS, NODE_1, request("no-status", SIGNER, P256, spec -> spec.put(
                "stubPKCS10Request", "MIIB")).replace("\"spec\":", "\"status\":{\"certificateChain\":\"x\"},\"spec\":"));

        assertEquals(201, created.code(), created.body().toString());
        assertTrue(created.body().path("status").isEmpty(), created.body().toString());
        assertTrue(created.body().path("spec").path("stubPKCS10Request").isMissingNode(), created.body().toString());
    }

    @Test
    void strictFieldValidationRefusesFieldsOfLaterVersions() throws Exception {
        Answer refused = send("POST", PCRS + "?fieldValidation=Strict", NODE_1, request("strict", SIGNER, P256,
                spec -> spec.put("stubPKCS10Request", "MIIB")));

        assertEquals(400, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest in version \"v1beta1\" cannot be handled as a PodCertificateRequest: "
                + "strict decoding error: unknown field \"spec.stubPKCS10Request\"", refused.message());
    }

    @Test
    void aKeyThatIsNotBase64IsABadRequest() throws Exception {
        Answer refused = send("POST", PCRS, NODE_1, request("not-base64", SIGNER, P256,
                spec -> spec.put("pkixPublicKey", "not base64!")));

        assertEquals(400, refused.code(), refused.body().toString());
        assertTrue(refused.message().startsWith("PodCertificateRequest in version \"v1beta1\" cannot be handled as a "
                + "PodCertificateRequest: "), refused.message());
    }

    static Stream<Arguments> nodeRestrictionRefusals() {
        String forbidden = "podcertificaterequests.certificates.k8s.io \"refused\" is forbidden: ";
        return Stream.of(
                Arguments.of("another node's pod", (Consumer<ObjectNode>) s -> s.put("podName", "away")
                        .put("podUID", awayUid), 403, forbidden + "pod \"pcr/away\" is not running on node \"node-1\" "
                        + "named in the PodCertificateRequest"),
                Arguments.of("another node's name", (Consumer<ObjectNode>) s -> s.put("nodeName", "node-2"), 403,
                        forbidden + "PodCertificateRequest.Spec.NodeName=\"node-2\", which is not the requesting node "
                        + "\"node-1\""),
                Arguments.of("a mirror pod", (Consumer<ObjectNode>) s -> s.put("podName", "static")
                        .put("podUID", mirrorUid), 403, forbidden + "pod \"pcr/static\" is a mirror pod"),
                Arguments.of("another service account name", (Consumer<ObjectNode>) s -> s.put("serviceAccountName",
                        "default"), 403, forbidden + "PodCertificateRequest for pod \"pcr/web\" contains "
                        + "serviceAccountName (\"default\") that differs from running pod (\"workload\")"),
                // What a lagging informer could explain is a plain error, which a kubelet retries.
                Arguments.of("a wrong pod uid", (Consumer<ObjectNode>) s -> s.put("podUID", "0000"), 500,
                        "PodCertificateRequest for pod \"pcr/web\" contains pod UID (\"0000\") which differs from "
                        + "running pod \"" + webUid + "\""),
                Arguments.of("a wrong service account uid", (Consumer<ObjectNode>) s -> s.put("serviceAccountUID",
                        "0000"), 500, "PodCertificateRequest for pod \"pcr/web\" names service account UID \"0000\", "
                        + "which differs from the running service account (\"" + accountUid + "\")"),
                Arguments.of("a wrong node uid", (Consumer<ObjectNode>) s -> s.put("nodeUID", "0000"), 500,
                        "PodCertificateRequest for pod \"pcr/web\" names node UID \"0000\", inconsistent with the "
                        + "running node (\"" + node1Uid + "\")"),
                Arguments.of("a pod that is not there", (Consumer<ObjectNode>) s -> s.put("podName", "ghost"), 500,
                        "while retrieving pod \"pcr/ghost\" named in the PodCertificateRequest: pod \"ghost\" not "
                        + "found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeRestrictionRefusals")
    void nodeRestrictionRefusesARequestForAPodNotBoundToTheNode(String description, Consumer<ObjectNode> change,
            int code, String message) throws Exception {
        Answer refused = send("POST", PCRS, NODE_1, request("refused", SIGNER, P256, change));

        assertEquals(code, refused.code(), refused.body().toString());
        assertEquals(message, refused.message());
        assertEquals(code == 403 ? "Forbidden" : "", refused.body().path("reason").asText(""));
    }

    @Test
    void aUserWithoutRbacMayNotCreateOne() throws Exception {
        Answer refused = send("POST", PCRS, NOBODY_TOKEN, request("nobody", SIGNER, P256, s -> { }));

        assertEquals(403, refused.code());
        assertEquals("podcertificaterequests.certificates.k8s.io is forbidden: User \"somebody\" cannot create "
                + "resource \"podcertificaterequests\" in API group \"certificates.k8s.io\" in the namespace \"pcr\"",
                refused.message());
    }

    @Test
    void nodeRestrictionLeavesOtherUsersAlone() throws Exception {
        Answer created = send("POST", PCRS, ADMIN, requestWithProof("by-admin", SIGNER, P256,
                PodCertificates.proof(P256, "not-the-pod"), s -> s.put("nodeName", "node-2").put("podUID",
                        "not-the-pod")));

        assertEquals(201, created.code(), created.body().toString());
    }

    static Stream<Arguments> acceptedKeys() {
        return Stream.of(
                Arguments.of("Ed25519", TestCsrs.ed25519(), PodCertificates.MAX_SALT),
                Arguments.of("ECDSA P-256", P256, PodCertificates.MAX_SALT),
                Arguments.of("ECDSA P-384", TestCsrs.ec("secp384r1"), PodCertificates.MAX_SALT),
                Arguments.of("ECDSA P-521", TestCsrs.ec("secp521r1"), PodCertificates.MAX_SALT),
                Arguments.of("RSA-3072, PSS with the longest salt (Go's SignPSS)", PodCertificates.rsa(3072),
                        PodCertificates.MAX_SALT),
                Arguments.of("RSA-3072, PSS with a 32-byte salt", PodCertificates.rsa(3072), 32));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedKeys")
    void acceptsTheKeyTypesKubeletsUse(String description, KeyPair keys, int salt) throws Exception {
        String name = "key-" + (++counter);
        Answer created = send("POST", PCRS, NODE_1, requestWithProof(name, SIGNER, keys,
                PodCertificates.proof(keys, webUid, salt), s -> { }));

        assertEquals(201, created.code(), created.body().toString());
    }

    static Stream<Arguments> invalidRequests() {
        KeyPair ed25519 = TestCsrs.ed25519();
        KeyPair rsa3072 = PodCertificates.rsa(3072);
        KeyPair rsa2048 = PodCertificates.rsa(2048);
        KeyPair p224 = TestCsrs.ec("secp224r1");
        String badProof = "spec.proofOfPossession: Invalid value: could not verify proof-of-possession signature";
        return Stream.of(
                Arguments.of("an Ed25519 proof over another uid", ed25519, PodCertificates.proof(ed25519, "other"),
                        SIGNER, (Consumer<ObjectNode>) s -> { }, badProof),
                Arguments.of("a P-256 proof over another uid", P256, PodCertificates.proof(P256, "other"), SIGNER,
                        (Consumer<ObjectNode>) s -> { }, badProof),
                Arguments.of("an RSA-3072 proof over another uid", rsa3072, PodCertificates.proof(rsa3072, "other"),
                        SIGNER, (Consumer<ObjectNode>) s -> { }, badProof),
                Arguments.of("an RSA-2048 key", rsa2048, PodCertificates.proof(rsa2048, "web"), SIGNER,
                        (Consumer<ObjectNode>) s -> { }, "spec.pkixPublicKey: Invalid value: \"2048-bit modulus\": RSA "
                        + "keys must have modulus size 3072 or 4096"),
                Arguments.of("a P-224 key", p224, PodCertificates.proof(p224, "web"), SIGNER,
                        (Consumer<ObjectNode>) s -> { }, "spec.pkixPublicKey: Invalid value: \"curve P-224\": elliptic "
                        + "public keys must use curve P256 or P384"),
                Arguments.of("a key that is no PKIX key", P256, null, SIGNER,
                        (Consumer<ObjectNode>) s -> s.put("pkixPublicKey", "AAEC"), "spec.pkixPublicKey: Invalid "
                        + "value: \"AAEC\": must be a valid PKIX-serialized public key"),
                Arguments.of("a lifetime under an hour", P256, null, SIGNER,
                        (Consumer<ObjectNode>) s -> s.put("maxExpirationSeconds", 3599), "spec.maxExpirationSeconds: "
                        + "Invalid value: 3599: must be in the range [3600, 7862400]"),
                Arguments.of("a lifetime over 91 days", P256, null, SIGNER,
                        (Consumer<ObjectNode>) s -> s.put("maxExpirationSeconds", 7862401), "spec.maxExpirationSeconds: "
                        + "Invalid value: 7862401: must be in the range [3600, 7862400]"),
                Arguments.of("a kubernetes.io signer over a day", P256, null, "kubernetes.io/pod-client",
                        (Consumer<ObjectNode>) s -> s.put("maxExpirationSeconds", 86401), "spec.maxExpirationSeconds: "
                        + "Invalid value: 86401: must be in the range [3600, 86400]"),
                Arguments.of("an empty pod uid", P256, null, SIGNER, (Consumer<ObjectNode>) s -> s.put("podUID", ""),
                        "[spec.podUID: Invalid value: \"\": must not be empty, " + badProof + "]"),
                Arguments.of("a signer name without a path", P256, null, "example.com",
                        (Consumer<ObjectNode>) s -> { }, "spec.signerName: Invalid value: \"example.com\": must be a "
                        + "fully qualified domain and path of the form 'example.com/signer-name'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void refusesAnInvalidRequestAsInvalid(String description, KeyPair keys, String proof, String signer,
            Consumer<ObjectNode> change, String error) throws Exception {
        String name = "invalid-" + (++counter);
        String body = requestWithProof(name, signer, keys, proof == null ? PodCertificates.proof(keys, webUid)
                : proof, change);
        Answer refused = send("POST", PCRS, ADMIN, body);

        assertEquals(422, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest.certificates.k8s.io \"" + name + "\" is invalid: " + error,
                refused.message());
    }

    @Test
    void aCustomSignerMayAskFor91Days() throws Exception {
        Answer created = send("POST", PCRS, NODE_1, request("long", SIGNER, P256, s -> s.put("maxExpirationSeconds",
                7862400)));

        assertEquals(201, created.code(), created.body().toString());
    }

    @Test
    void theSpecCannotChange() throws Exception {
        ObjectNode created = (ObjectNode) ok(send("POST", PCRS, NODE_1, request("fixed", SIGNER, P256, s -> { })))
                .body();
        ((ObjectNode) created.path("spec")).put("maxExpirationSeconds", 7200);
        Answer refused = send("PUT", PCRS + "/fixed", ADMIN, created.toString());

        assertEquals(422, refused.code(), refused.body().toString());
        // Go prints the internal spec as JSON: field names without JSON tags, bytes in base64.
        assertEquals("PodCertificateRequest.certificates.k8s.io \"fixed\" is invalid: spec: Invalid value: "
                + "{\"SignerName\":\"example.com/pods\",\"PodName\":\"web\",\"PodUID\":\"" + webUid + "\","
                + "\"ServiceAccountName\":\"workload\",\"ServiceAccountUID\":\"" + accountUid + "\","
                + "\"NodeName\":\"node-1\",\"NodeUID\":\"" + node1Uid + "\",\"MaxExpirationSeconds\":7200,"
                + "\"PKIXPublicKey\":\"" + PodCertificates.pkix(P256) + "\",\"ProofOfPossession\":\""
                + created.path("spec").path("proofOfPossession").asText() + "\",\"UnverifiedUserAnnotations\":null}: "
                + "field is immutable", refused.message());

        ((ObjectNode) created.path("spec")).put("maxExpirationSeconds", 86400);
        ((ObjectNode) created.path("metadata")).putObject("labels").put("app", "web");
        Answer relabelled = send("PUT", PCRS + "/fixed", ADMIN, created.toString());
        assertEquals(200, relabelled.code(), relabelled.body().toString());
        assertEquals("web", relabelled.body().path("metadata").path("labels").path("app").asText());
    }

    // ---- status -------------------------------------------------------------------------------

    @Test
    void aSignerIssuesACertificateAndThenTheStatusIsFixed() throws Exception {
        ObjectNode pcr = created("issued");
        Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(Duration.ofHours(24));
        String chain = PodCertificates.leaf(P256, notBefore, notAfter, "web.pcr.svc") + PodCertificates.caCertificate();
        issued(pcr, chain, notBefore, notAfter, notBefore.plus(Duration.ofHours(12)));

        Answer answer = send("PUT", PCRS + "/issued/status", SIGNER_TOKEN, pcr.toString());

        assertEquals(200, answer.code(), answer.body().toString());
        JsonNode status = answer.body().path("status");
        assertEquals(chain, status.path("certificateChain").asText());
        assertEquals(notBefore.toString(), status.path("notBefore").asText());
        assertEquals("Issued", status.path("conditions").get(0).path("type").asText());

        ObjectNode again = (ObjectNode) answer.body().deepCopy();
        ((ObjectNode) again.path("status").path("conditions").get(0)).put("message", "issued twice");
        Answer refused = send("PUT", PCRS + "/issued/status", SIGNER_TOKEN, again.toString());
        assertEquals(422, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest.certificates.k8s.io \"issued\" is invalid: status: Invalid value: "
                + "immutable after PodCertificateRequest is issued, denied, or failed", refused.message());
    }

    @Test
    void aSignerDeniesARequestWithAConditionOnly() throws Exception {
        ObjectNode pcr = created("denied");
        condition(pcr, "Denied", "UnsupportedKeyType");

        Answer answer = send("PUT", PCRS + "/denied/status", SIGNER_TOKEN, pcr.toString());

        assertEquals(200, answer.code(), answer.body().toString());
        assertEquals("Denied", answer.body().path("status").path("conditions").get(0).path("type").asText());
    }

    @Test
    void aSignerPatchesTheStatusToFailIt() throws Exception {
        created("patched");
        Answer patched = send("PATCH", PCRS + "/patched/status", SIGNER_TOKEN, "application/merge-patch+json",
                "{\"status\":{\"conditions\":[{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"Down\","
                        + "\"message\":\"try later\",\"lastTransitionTime\":\"" + Instant.now().truncatedTo(
                        ChronoUnit.SECONDS) + "\"}]}}");

        assertEquals(200, patched.code(), patched.body().toString());
        assertEquals("Down", patched.body().path("status").path("conditions").get(0).path("reason").asText());
    }

    @Test
    void aStatusUpdateNamesTheVersionItReplaces() throws Exception {
        ObjectNode pcr = created("unversioned");
        condition(pcr, "Denied", "No");
        ((ObjectNode) pcr.path("metadata")).remove("resourceVersion");

        Answer refused = send("PUT", PCRS + "/unversioned/status", SIGNER_TOKEN, pcr.toString());

        assertEquals(422, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest.certificates.k8s.io \"unversioned\" is invalid: metadata.resourceVersion: "
                + "Invalid value: 0x0: must be specified for an update", refused.message());
    }

    static Stream<Arguments> invalidStatuses() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant day = now.plus(Duration.ofHours(24));
        Instant half = now.plus(Duration.ofHours(12));
        String leaf = PodCertificates.leaf(P256, now, day);
        String otherKeysLeaf = PodCertificates.leaf(TestCsrs.ec("secp256r1"), now, day);
        return Stream.of(
                Arguments.of("a chain issued to another key", (Consumer<ObjectNode>) p -> issued(p, otherKeysLeaf,
                        now, day, half), "status.certificateChain: Invalid value: " + FieldError.quote(otherKeysLeaf)
                        + ": leaf certificate was not issued to the requested public key"),
                Arguments.of("no certificate in the chain", (Consumer<ObjectNode>) p -> issued(p, "not pem", now, day,
                        half), "status.certificateChain: Invalid value: \"not pem\": issued certificate chain must "
                        + "contain at least one certificate"),
                Arguments.of("notBefore other than the leaf's", (Consumer<ObjectNode>) p -> issued(p, leaf,
                        now.plusSeconds(1), day, half), "status.notBefore: Invalid value: \"" + now.plusSeconds(1)
                        + "\": must be set to the NotBefore time encoded in the leaf certificate"),
                Arguments.of("a leaf from an hour ago", (Consumer<ObjectNode>) p -> issued(p,
                        PodCertificates.leaf(P256, now.minus(Duration.ofHours(1)), day), now.minus(Duration.ofHours(1)),
                        day, half), "status.notBefore: Invalid value: \"" + now.minus(Duration.ofHours(1)) + "\": must "
                        + "be set to within 5 minutes of kube-apiserver's current time"),
                Arguments.of("notAfter other than the leaf's", (Consumer<ObjectNode>) p -> issued(p, leaf, now,
                        day.minusSeconds(1), half), "status.notAfter: Invalid value: \"" + day.minusSeconds(1)
                        + "\": must be set to the NotAfter time encoded in the leaf certificate"),
                Arguments.of("a lifetime under an hour", (Consumer<ObjectNode>) p -> issued(p,
                        PodCertificates.leaf(P256, now, now.plus(Duration.ofMinutes(59))), now,
                        now.plus(Duration.ofMinutes(59)), now.plus(Duration.ofMinutes(30))),
                        "status.certificateChain: Invalid value: 3540000000000: leaf certificate lifetime must be >= 1 "
                        + "hour"),
                Arguments.of("a lifetime over maxExpirationSeconds", (Consumer<ObjectNode>) p -> issued(p,
                        PodCertificates.leaf(P256, now, day.plusSeconds(1)), now, day.plusSeconds(1), half),
                        "status.certificateChain: Invalid value: 86401000000000: leaf certificate lifetime must be <= "
                        + "spec.maxExpirationSeconds (86400)"),
                Arguments.of("beginRefreshAt too soon", (Consumer<ObjectNode>) p -> issued(p, leaf, now, day,
                        now.plus(Duration.ofMinutes(9))), "status.beginRefreshAt: Invalid value: \""
                        + now.plus(Duration.ofMinutes(9)) + "\": must be at least 10 minutes after status.notBefore"),
                Arguments.of("beginRefreshAt too late", (Consumer<ObjectNode>) p -> issued(p, leaf, now, day,
                        day.minus(Duration.ofMinutes(9))), "status.beginRefreshAt: Invalid value: \""
                        + day.minus(Duration.ofMinutes(9)) + "\": must be at least 10 minutes before status.notAfter"),
                Arguments.of("no times", (Consumer<ObjectNode>) p -> {
                    issued(p, leaf, now, day, half);
                    ObjectNode status = (ObjectNode) p.path("status");
                    status.remove(List.of("notBefore", "notAfter", "beginRefreshAt"));
                }, "[status.notBefore: Required value: must be present and consistent with the issued certificate, "
                        + "status.notAfter: Required value: must be present and consistent with the issued certificate, "
                        + "status.beginRefreshAt: Required value: must be present and in the range [notbefore+10min, "
                        + "notafter-10min]]"),
                Arguments.of("Issued and Denied at once", (Consumer<ObjectNode>) p -> {
                    issued(p, leaf, now, day, half);
                    condition(p, "Denied", "Changed");
                }, "status.conditions.[1].type: Invalid value: \"Denied\": There may be at most one condition with "
                        + "type \"Issued\", \"Denied\", or \"Failed\""),
                Arguments.of("a condition of another type", (Consumer<ObjectNode>) p -> condition(p, "Approved",
                        "Looked"), "status.conditions.[0].type: Unsupported value: \"Approved\": supported values: "
                        + "\"Issued\", \"Denied\", \"Failed\""),
                Arguments.of("a Denied condition that is not True", (Consumer<ObjectNode>) p -> {
                    condition(p, "Denied", "Maybe");
                    ((ObjectNode) p.path("status").path("conditions").get(0)).put("status", "False");
                }, "status.conditions.[0].status: Unsupported value: \"False\": supported values: \"True\""),
                Arguments.of("a condition without reason and time", (Consumer<ObjectNode>) p -> {
                    condition(p, "Failed", "X");
                    ObjectNode c = (ObjectNode) p.path("status").path("conditions").get(0);
                    c.remove(List.of("reason", "lastTransitionTime"));
                }, "[status.conditions[0].lastTransitionTime: Required value, status.conditions[0].reason: Required "
                        + "value]"),
                Arguments.of("a denial with a chain", (Consumer<ObjectNode>) p -> {
                    condition(p, "Denied", "No");
                    ((ObjectNode) p.path("status")).put("certificateChain", leaf);
                }, "status: Invalid value: non-condition status fields must be empty when denying or failing the "
                        + "PodCertificateRequest"),
                Arguments.of("a chain without a condition", (Consumer<ObjectNode>) p -> ((ObjectNode) p.path("status"))
                        .put("certificateChain", leaf), "status: Invalid value: status is immutable unless "
                        + "transitioning to \"Issued\", \"Denied\", or \"Failed\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidStatuses")
    void refusesAStatusTheRulesDoNotAllow(String description, Consumer<ObjectNode> change, String error)
            throws Exception {
        String name = "status-" + (++counter);
        ObjectNode pcr = created(name);
        change.accept(pcr);

        Answer refused = send("PUT", PCRS + "/" + name + "/status", SIGNER_TOKEN, pcr.toString());

        assertEquals(422, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest.certificates.k8s.io \"" + name + "\" is invalid: " + error,
                refused.message());
    }

    @Test
    void aWriterWithoutSignOnTheSignerIsRefused() throws Exception {
        ObjectNode pcr = created("unsigned");
        condition(pcr, "Failed", "Broken");

        Answer refused = send("PUT", PCRS + "/unsigned/status", WRITER_TOKEN, pcr.toString());

        assertEquals(422, refused.code(), refused.body().toString());
        assertEquals("PodCertificateRequest.certificates.k8s.io \"unsigned\" is invalid: spec.signerName: Forbidden: "
                + "User \"status-writer\" is not permitted to \"sign\" for signer \"example.com/pods\"",
                refused.message());
        assertEquals("FieldValueForbidden", refused.body().path("details").path("causes").get(0).path("reason")
                .asText());
    }

    @Test
    void aStatusWriteThatChangesNothingNeedsNoSign() throws Exception {
        ObjectNode pcr = created("untouched");

        Answer answer = send("PUT", PCRS + "/untouched/status", WRITER_TOKEN, pcr.toString());

        assertEquals(200, answer.code(), answer.body().toString());
    }

    // ---- reading ------------------------------------------------------------------------------

    @Test
    void selectsBySignerNameAndNodeButNotByNamespace() throws Exception {
        created("other-signer", "other.example.com/pods");
        created("selected");

        List<String> names = names(ok(send("GET", PCRS + "?fieldSelector="
                + URLEncoder.encode("spec.signerName=other.example.com/pods", StandardCharsets.UTF_8), ADMIN, null)));
        assertEquals(List.of("other-signer"), names);
        assertTrue(names(ok(send("GET", PCRS + "?fieldSelector=spec.nodeName%3Dnode-1", ADMIN, null)))
                .contains("selected"));
        assertTrue(names(ok(send("GET", PCRS + "?fieldSelector=spec.podName%3Dghost", ADMIN, null))).isEmpty());

        Answer refused = send("GET", PCRS + "?fieldSelector=metadata.namespace%3Dpcr", ADMIN, null);
        assertEquals(400, refused.code());
        assertEquals("field label not supported: metadata.namespace", refused.message());
    }

    @Test
    void aNodeReadsItsOwnRequestsOnly() throws Exception {
        created("mine");
        ok(send("POST", PCRS, ADMIN, request("theirs", SIGNER, P256, s -> s.put("nodeName", "node-2"))));

        assertEquals(200, send("GET", PCRS + "/mine", NODE_1, null).code());
        Answer theirs = send("GET", PCRS + "/theirs", NODE_1, null);
        assertEquals(403, theirs.code());
        assertEquals("podcertificaterequests.certificates.k8s.io \"theirs\" is forbidden: User \"system:node:node-1\" "
                + "cannot get resource \"podcertificaterequests\" in API group \"certificates.k8s.io\" in the namespace "
                + "\"pcr\": no relationship found between node 'node-1' and this object", theirs.message());

        List<String> own = names(ok(send("GET", PCRS + "?fieldSelector=spec.nodeName%3Dnode-1", NODE_1, null)));
        assertTrue(own.contains("mine") && !own.contains("theirs"), own.toString());
        Answer all = send("GET", PCRS, NODE_1, null);
        assertEquals(403, all.code());
        assertTrue(all.message().endsWith(": can only list/watch podcertificaterequests with nodeName field selector"),
                all.message());
        Answer status = send("PUT", PCRS + "/mine/status", NODE_1, "{}");
        assertEquals(403, status.code());
        assertTrue(status.message().endsWith(": nodes may not access the status subresource of "
                + "PodCertificateRequests"), status.message());
    }

    @Test
    void aWatchSeesTheRequestAddedAndIssued() throws Exception {
        try (RawWatch watch = RawWatch.open(emulator.url(), PCRS + "?fieldSelector=spec.nodeName%3Dnode-1"
                + "&resourceVersion=" + resourceVersion(), NODE_1)) {
            assertEquals(200, watch.status());
            ObjectNode pcr = created("watched");
            JsonNode added = watch.nextChange(Duration.ofSeconds(10));
            assertNotNull(added);
            assertEquals("ADDED", added.path("type").asText());
            assertEquals("watched", added.path("object").path("metadata").path("name").asText());

            condition(pcr, "Failed", "SignerDown");
            ok(send("PUT", PCRS + "/watched/status", SIGNER_TOKEN, pcr.toString()));
            JsonNode modified = watch.nextChange(Duration.ofSeconds(10));
            assertNotNull(modified);
            assertEquals("MODIFIED", modified.path("type").asText());
            assertEquals("Failed", modified.path("object").path("status").path("conditions").get(0).path("type")
                    .asText());
        }
    }

    @Test
    void aKubeletListsAndWatchesTrustBundlesOfItsSignerByLabel() throws Exception {
        bundle("example.com:pods:a", "example.com/pods", "a");
        bundle("example.com:pods:b", "example.com/pods", "b");
        bundle("other.example.com:pods:a", "other.example.com/pods", "a");
        String query = "?fieldSelector=" + URLEncoder.encode("spec.signerName=example.com/pods", StandardCharsets.UTF_8)
                + "&labelSelector=" + URLEncoder.encode("trust in (a)", StandardCharsets.UTF_8);

        Answer listed = ok(send("GET", "/apis/certificates.k8s.io/v1beta1/clustertrustbundles" + query, NODE_1, null));
        assertEquals(List.of("example.com:pods:a"), names(listed));
        try (RawWatch watch = RawWatch.open(emulator.url(), "/apis/certificates.k8s.io/v1beta1/clustertrustbundles"
                + query, NODE_1)) {
            assertEquals(200, watch.status());
            JsonNode event = watch.nextChange(Duration.ofSeconds(10));
            assertNotNull(event);
            assertEquals("ADDED", event.path("type").asText());
            assertEquals("example.com:pods:a", event.path("object").path("metadata").path("name").asText());
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static void bundle(String name, String signerName, String trustLabel) throws Exception {
        ObjectNode bundle = Json.MAPPER.createObjectNode();
        bundle.putObject("metadata").put("name", name).putObject("labels").put("trust", trustLabel);
        bundle.putObject("spec").put("signerName", signerName).put("trustBundle", PodCertificates.caCertificate());
        ok(send("POST", "/apis/certificates.k8s.io/v1beta1/clustertrustbundles", ADMIN, bundle.toString()));
    }

    private static String resourceVersion() throws Exception {
        return ok(send("GET", PCRS, ADMIN, null)).body().path("metadata").path("resourceVersion").asText();
    }

    private static ObjectNode created(String name) throws Exception {
        return created(name, SIGNER);
    }

    private static ObjectNode created(String name, String signer) throws Exception {
        return (ObjectNode) ok(send("POST", PCRS, NODE_1, request(name, signer, P256, s -> { }))).body();
    }

    /** Sets the Issued status a signer writes. */
    static void issued(ObjectNode pcr, String chain, Instant notBefore, Instant notAfter, Instant beginRefreshAt) {
        condition(pcr, "Issued", "Issued");
        ((ObjectNode) pcr.path("status")).put("certificateChain", chain).put("notBefore", notBefore.toString())
                .put("notAfter", notAfter.toString()).put("beginRefreshAt", beginRefreshAt.toString());
    }

    static void condition(ObjectNode pcr, String type, String reason) {
        ArrayNode conditions = Json.array(Json.object(pcr, "status"), "conditions");
        conditions.addObject().put("type", type).put("status", "True").put("reason", reason).put("message", "by test")
                .put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    private static String request(String name, String signer, KeyPair keys, Consumer<ObjectNode> change) {
        return requestWithProof(name, signer, keys, PodCertificates.proof(keys, webUid), change);
    }

    /** A request of node-1 for pod web, as a kubelet writes it, changed by {@code change}. */
    private static String requestWithProof(String name, String signer, KeyPair keys, String proof,
            Consumer<ObjectNode> change) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("apiVersion", "certificates.k8s.io/v1beta1").put("kind", "PodCertificateRequest");
        body.putObject("metadata").put("name", name);
        ObjectNode spec = body.putObject("spec");
        spec.put("signerName", signer).put("podName", "web").put("podUID", webUid).put("serviceAccountName", "workload")
                .put("serviceAccountUID", accountUid).put("nodeName", "node-1").put("nodeUID", node1Uid)
                .put("maxExpirationSeconds", 86400).put("pkixPublicKey", PodCertificates.pkix(keys))
                .put("proofOfPossession", proof);
        change.accept(spec);
        return body.toString();
    }

    private static String pod(String name, String node, String metadata) {
        return """
                {"metadata":{%s"name":"%s"},"spec":{"serviceAccountName":"workload","nodeName":"%s",
                "containers":[{"name":"c","image":"nginx:1.25"}]}}""".formatted(metadata, name, node);
    }

    private static void role(String name, String user, String extraRule) throws Exception {
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", ADMIN, """
                {"metadata":{"name":"%s"},"rules":[{"apiGroups":["certificates.k8s.io"],
                "resources":["podcertificaterequests"],"verbs":["get","list","watch"]},
                {"apiGroups":["certificates.k8s.io"],"resources":["podcertificaterequests/status"],
                "verbs":["update","patch"]}%s]}""".formatted(name, extraRule)));
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", ADMIN, """
                {"metadata":{"name":"%s"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
                "name":"%s"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"%s"}]}"""
                .formatted(name, name, user)));
    }

    private static List<String> names(Answer list) {
        List<String> names = new ArrayList<>();
        list.body().path("items").forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }

    private static String uid(Answer answer) {
        return answer.body().path("metadata").path("uid").asText();
    }

    static Answer send(String method, String path, String token, String body) throws IOException,
            InterruptedException {
        return send(method, path, token, "application/json", body);
    }

    static Answer send(String method, String path, String token, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", contentType);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    static Answer ok(Answer answer) {
        assertTrue(answer.code() / 100 == 2, answer.body().toString());
        return answer;
    }
}
