package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * PATCH as kube-apiserver answers it, over plain HTTP: the four patch types on a ConfigMap and on
 * a CSR (whose patched object goes through the CSR rules as a PUT of it would), the errors, and
 * server-side apply's ownership of fields.
 */
class PatchTest {
    private static final String MERGE = "application/merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";
    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    private static final String APPLY = "application/apply-patch+yaml";
    private static final String CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests/";
    private static final AtomicInteger NAMES = new AtomicInteger();

    static KubeEmulator emulator;
    static KubernetesClient admin;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    private static HttpResponse<String> patch(String path, String contentType, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer admin-token").header("Content-Type", contentType)
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.MAPPER.readTree(response.body());
    }

    /** A ConfigMap with two labels, one data key, two finalizers and an owner, at {@code /api/v1/...}. */
    private static String configMap() {
        String name = "cm-" + NAMES.incrementAndGet();
        admin.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .addToLabels("a", "1").addToLabels("b", "2").withFinalizers("example.com/a", "example.com/b")
                .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner")
                .withUid("uid-1").endOwnerReference().endMetadata().addToData("x", "1").build()).create();
        return "/api/v1/namespaces/default/configmaps/" + name;
    }

    /** A pending CSR of a kubelet client, at {@code /apis/certificates.k8s.io/...}. */
    private static String csr() {
        String name = "csr-" + NAMES.incrementAndGet();
        admin.certificates().v1().certificateSigningRequests().resource(CsrApiRulesTest.csr(name,
                TestCsrs.request().pem()).build()).create();
        return CSRS + name;
    }

    /** What a patch can change on a ConfigMap, in one line: labels, data, finalizers, owner uids. */
    private static String shape(JsonNode object) {
        List<String> owners = new ArrayList<>();
        object.path("metadata").path("ownerReferences").forEach(o -> owners.add(o.path("uid").asText()));
        return "labels=" + object.path("metadata").path("labels") + " data=" + object.path("data")
                + " finalizers=" + object.path("metadata").path("finalizers") + " owners=" + owners;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        // merge patch: null deletes a key, objects merge, lists are replaced
        MERGE + "| {\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"}},\"data\":{\"y\":\"2\"}}"
            + "| labels={\"b\":\"2\",\"c\":\"3\"} data={\"x\":\"1\",\"y\":\"2\"} finalizers=[\"example.com/a\",\"example.com/b\"] owners=[uid-1]",
        MERGE + "| {\"metadata\":{\"finalizers\":[\"example.com/c\"],\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"o2\",\"uid\":\"uid-2\"}]}}"
            + "| labels={\"a\":\"1\",\"b\":\"2\"} data={\"x\":\"1\"} finalizers=[\"example.com/c\"] owners=[uid-2]",
        // JSON patch: operations in order
        JSON_PATCH + "| [{\"op\":\"add\",\"path\":\"/metadata/labels/c\",\"value\":\"3\"},{\"op\":\"remove\",\"path\":\"/metadata/labels/a\"},{\"op\":\"replace\",\"path\":\"/data/x\",\"value\":\"9\"}]"
            + "| labels={\"b\":\"2\",\"c\":\"3\"} data={\"x\":\"9\"} finalizers=[\"example.com/a\",\"example.com/b\"] owners=[uid-1]",
        JSON_PATCH + "| [{\"op\":\"test\",\"path\":\"/data/x\",\"value\":\"1\"},{\"op\":\"move\",\"from\":\"/data/x\",\"path\":\"/data/y\"},{\"op\":\"copy\",\"from\":\"/metadata/labels/a\",\"path\":\"/data/z\"},{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"example.com/c\"}]"
            + "| labels={\"a\":\"1\",\"b\":\"2\"} data={\"y\":\"1\",\"z\":\"1\"} finalizers=[\"example.com/a\",\"example.com/b\",\"example.com/c\"] owners=[uid-1]",
        // strategic merge patch: finalizers merge as a set, owner references by uid
        STRATEGIC + "| {\"metadata\":{\"labels\":{\"a\":null},\"finalizers\":[\"example.com/c\"],\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"o2\",\"uid\":\"uid-2\"}]}}"
            + "| labels={\"b\":\"2\"} data={\"x\":\"1\"} finalizers=[\"example.com/a\",\"example.com/b\",\"example.com/c\"] owners=[uid-1, uid-2]",
        STRATEGIC + "| {\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"example.com/a\"],\"ownerReferences\":[{\"uid\":\"uid-1\",\"$patch\":\"delete\"}]}}"
            + "| labels={\"a\":\"1\",\"b\":\"2\"} data={\"x\":\"1\"} finalizers=[\"example.com/b\"] owners=[]",
        STRATEGIC + "| {\"data\":{\"$patch\":\"replace\",\"y\":\"2\"},\"metadata\":{\"ownerReferences\":[{\"$patch\":\"replace\"},{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"o2\",\"uid\":\"uid-2\"}]}}"
            + "| labels={\"a\":\"1\",\"b\":\"2\"} data={\"y\":\"2\"} finalizers=[\"example.com/a\",\"example.com/b\"] owners=[uid-2]",
        STRATEGIC + "| {\"metadata\":{\"labels\":{\"$patch\":\"delete\"}}}"
            + "| labels= data={\"x\":\"1\"} finalizers=[\"example.com/a\",\"example.com/b\"] owners=[uid-1]",
        // server-side apply of a part: merged in, nothing it does not name is touched
        APPLY + "| {apiVersion: v1, kind: ConfigMap, metadata: {labels: {c: \"3\"}}, data: {y: \"2\"}}"
            + "| labels={\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"} data={\"x\":\"1\",\"y\":\"2\"} finalizers=[\"example.com/a\",\"example.com/b\"] owners=[uid-1]",
    })
    void patchesAConfigMap(String contentType, String body, String expected) throws Exception {
        String path = configMap();
        String query = contentType.equals(APPLY) ? "?fieldManager=tester" : "";

        HttpResponse<String> response = patch(path + query, contentType, body.replace("NAME",
                path.substring(path.lastIndexOf('/') + 1)));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(expected, shape(json(response)));
        assertEquals(expected, shape(get(path)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        MERGE + "| {\"metadata\":{\"labels\":{\"team\":\"blue\"},\"annotations\":{\"note\":\"x\"}}}",
        STRATEGIC + "| {\"metadata\":{\"labels\":{\"team\":\"blue\"},\"annotations\":{\"note\":\"x\"}}}",
        JSON_PATCH + "| [{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"team\":\"blue\"}},{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"note\":\"x\"}}]",
        APPLY + "| {apiVersion: certificates.k8s.io/v1, kind: CertificateSigningRequest, metadata: {labels: {team: blue}, annotations: {note: x}}}",
    })
    void patchesTheMetadataOfACsr(String contentType, String body) throws Exception {
        String path = csr();
        JsonNode before = get(path);
        String query = contentType.equals(APPLY) ? "?fieldManager=tester" : "";

        HttpResponse<String> response = patch(path + query, contentType, body);

        assertEquals(200, response.statusCode(), response.body());
        JsonNode after = get(path);
        assertEquals("blue", after.path("metadata").path("labels").path("team").asText());
        assertEquals("x", after.path("metadata").path("annotations").path("note").asText());
        assertEquals(before.path("spec"), after.path("spec"));
        assertFalse(before.path("metadata").path("resourceVersion").equals(after.path("metadata")
                .path("resourceVersion")));
    }

    /** The CSR strategy copies spec and status from the stored object on update: a patch of them is dropped. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        MERGE + "| {\"spec\":{\"signerName\":\"example.com/other\",\"expirationSeconds\":3600,\"username\":\"mallory\"},\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"}]}}",
        JSON_PATCH + "| [{\"op\":\"replace\",\"path\":\"/spec/signerName\",\"value\":\"example.com/other\"},{\"op\":\"add\",\"path\":\"/spec/groups/-\",\"value\":\"system:masters\"}]",
    })
    void patchOfACsrKeepsItsSpecAndStatus(String contentType, String body) throws Exception {
        String path = csr();
        JsonNode before = get(path);

        HttpResponse<String> response = patch(path, contentType, body);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(before.path("spec"), get(path).path("spec"));
        assertEquals(before.path("status"), get(path).path("status"));
    }

    @ParameterizedTest(name = "{1} {2}")
    @CsvSource(delimiter = '|', value = {
        // the patched object goes through the rules an update of it would: the field is named
        "'' | " + MERGE + "| {\"metadata\":{\"labels\":{\"bad\":\"not valid!\"}}}| metadata.labels",
        "/status | " + MERGE + "| {\"status\":{\"conditions\":[]}}| status.conditions",
        "/approval | " + JSON_PATCH + "| [{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":{\"type\":\"Denied\",\"status\":\"True\",\"reason\":\"No\"}}]| status.conditions",
        "/status | " + STRATEGIC + "| {\"status\":{\"certificate\":\"bm90IGEgY2VydA==\"}}| status.certificate",
    })
    void patchOfAnApprovedCsrIsRefusedWhereAnUpdateWouldBe(String subresource, String contentType, String body,
            String field) throws Exception {
        String path = csr();
        String name = path.substring(path.lastIndexOf('/') + 1);
        admin.certificates().v1().certificateSigningRequests().withName(name).approve();
        JsonNode before = get(path);

        HttpResponse<String> response = patch(path + subresource, contentType, body);

        assertEquals(422, response.statusCode(), response.body());
        JsonNode status = json(response);
        assertEquals("Invalid", status.path("reason").asText());
        assertTrue(status.path("message").asText().startsWith("CertificateSigningRequest.certificates.k8s.io \""
                + name + "\" is invalid: " + field), status.path("message").asText());
        assertTrue(status.path("details").path("causes").get(0).path("field").asText().startsWith(field),
                status.toString());
        assertEquals(before, get(path));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // a failed test keeps its reason to itself, as the API server's NewGenericServerResponse
        "test fails    | " + JSON_PATCH + "| [{\"op\":\"test\",\"path\":\"/data/x\",\"value\":\"2\"},{\"op\":\"remove\",\"path\":\"/data/x\"}]"
            + "| 422 | Invalid | the server rejected our request due to an error in our request",
        "missing path  | " + JSON_PATCH + "| [{\"op\":\"remove\",\"path\":\"/data/nope\"}]"
            + "| 422 | Invalid | the server rejected our request due to an error in our request",
        "replace gone  | " + JSON_PATCH + "| [{\"op\":\"replace\",\"path\":\"/metadata/annotations/a\",\"value\":\"1\"}]"
            + "| 422 | Invalid | the server rejected our request due to an error in our request",
        "not a list    | " + JSON_PATCH + "| {\"op\":\"remove\",\"path\":\"/data/x\"}"
            + "| 400 | BadRequest | json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        "unknown type  | application/xml | <data/>"
            + "| 415 | UnsupportedMediaType | the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
        "json, no type | application/json | {\"data\":{\"x\":\"2\"}}"
            + "| 415 | UnsupportedMediaType | the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml",
        "stale version | " + MERGE + "| {\"metadata\":{\"resourceVersion\":\"1\"},\"data\":{\"x\":\"2\"}}"
            + "| 409 | Conflict | Operation cannot be fulfilled on configmaps \"NAME\": the object has been modified; please apply your changes to the latest version and try again",
        "no manager    | " + APPLY + "| {apiVersion: v1, kind: ConfigMap, data: {x: \"2\"}}"
            + "| 422 | Invalid | PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
    })
    void refusesPatchesOfAConfigMapAsTheApiServerDoes(String what, String contentType, String body, int code,
            String reason, String message) throws Exception {
        String path = configMap();
        String name = path.substring(path.lastIndexOf('/') + 1);
        JsonNode before = get(path);

        HttpResponse<String> response = patch(path, contentType, body);

        assertEquals(code, response.statusCode(), response.body());
        JsonNode status = json(response);
        assertEquals(reason, status.path("reason").asText());
        assertEquals(message.replace("NAME", name), status.path("message").asText());
        assertEquals(before, get(path), "unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/api/v1/namespaces/default/configmaps/nope | configmaps \"nope\" not found | ''",
        CSRS + "nope | certificatesigningrequests.certificates.k8s.io \"nope\" not found | certificates.k8s.io",
        CSRS + "nope/status | certificatesigningrequests.certificates.k8s.io \"nope\" not found | certificates.k8s.io",
    })
    void patchOfAMissingObjectIsNotFound(String path, String message, String group) throws Exception {
        for (String type : List.of(MERGE, JSON_PATCH, STRATEGIC)) {
            HttpResponse<String> response = patch(path, type, type.equals(JSON_PATCH) ? "[]" : "{}");

            assertEquals(404, response.statusCode(), response.body());
            JsonNode status = json(response);
            assertEquals("NotFound", status.path("reason").asText());
            assertEquals(message, status.path("message").asText());
            assertEquals("nope", status.path("details").path("name").asText());
            assertEquals(group, status.path("details").path("group").asText());
        }
    }

    @Test
    void stalePatchOfACsrIsAConflict() throws Exception {
        String path = csr();
        String name = path.substring(path.lastIndexOf('/') + 1);

        HttpResponse<String> response = patch(path, MERGE, "{\"metadata\":{\"resourceVersion\":\"1\",\"labels\":"
                + "{\"a\":\"b\"}}}");

        assertEquals(409, response.statusCode(), response.body());
        assertEquals("Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                json(response).path("message").asText());
    }

    private static String applied(String name, String labelsAndData) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: default\n" + labelsAndData;
    }

    private static ObjectNode managedBy(JsonNode object, String manager) {
        for (JsonNode entry : object.path("metadata").path("managedFields")) {
            if (entry.path("manager").asText().equals(manager)) {
                return (ObjectNode) entry;
            }
        }
        return null;
    }

    @Test
    void serverSideApplyCreatesAndRecordsWhatTheManagerOwns() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps/applied-new";

        HttpResponse<String> created = patch(path + "?fieldManager=alice", APPLY,
                applied("applied-new", "  labels:\n    team: blue\ndata:\n  a: \"1\"\n"));

        assertEquals(201, created.statusCode(), created.body());
        JsonNode object = get(path);
        assertEquals("1", object.path("data").path("a").asText());
        assertEquals(1, object.path("metadata").path("managedFields").size(), object.toString());
        ObjectNode entry = managedBy(object, "alice");
        assertEquals("Apply", entry.path("operation").asText());
        assertEquals("v1", entry.path("apiVersion").asText());
        assertEquals("FieldsV1", entry.path("fieldsType").asText());
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:a\":{}},\"f:metadata\":{\"f:labels\":{\"f:team\":{}}}}"),
                entry.path("fieldsV1"));
        assertTrue(entry.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), entry.toString());
    }

    @Test
    void serverSideApplyRefusesToChangeAFieldAnotherManagerOwns() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps/applied-conflict";
        assertEquals(201, patch(path + "?fieldManager=alice", APPLY,
                applied("applied-conflict", "data:\n  a: \"1\"\n  b: \"1\"\n")).statusCode());

        HttpResponse<String> one = patch(path + "?fieldManager=bob", APPLY,
                applied("applied-conflict", "data:\n  a: \"2\"\n"));
        HttpResponse<String> two = patch(path + "?fieldManager=bob", APPLY,
                applied("applied-conflict", "data:\n  a: \"2\"\n  b: \"2\"\n"));

        assertEquals(409, one.statusCode(), one.body());
        assertEquals("Conflict", json(one).path("reason").asText());
        assertEquals("Apply failed with 1 conflict: conflict with \"alice\": .data.a", json(one).path("message").asText());
        assertEquals(409, two.statusCode(), two.body());
        assertEquals("Apply failed with 2 conflicts: conflicts with \"alice\":\n- .data.a\n- .data.b",
                json(two).path("message").asText());
        assertEquals("1", get(path).path("data").path("a").asText());
    }

    @Test
    void serverSideApplyOfTheSameValueSharesTheField() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps/applied-shared";
        patch(path + "?fieldManager=alice", APPLY, applied("applied-shared", "data:\n  a: \"1\"\n"));

        HttpResponse<String> response = patch(path + "?fieldManager=bob", APPLY,
                applied("applied-shared", "data:\n  a: \"1\"\n  c: \"3\"\n"));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode object = get(path);
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:a\":{}}}"), managedBy(object, "alice").path("fieldsV1"));
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:a\":{},\"f:c\":{}}}"),
                managedBy(object, "bob").path("fieldsV1"));
    }

    @Test
    void serverSideApplyRemovesFieldsTheManagerNoLongerApplies() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps/applied-shrinking";
        patch(path + "?fieldManager=alice", APPLY, applied("applied-shrinking",
                "  labels:\n    team: blue\n    tier: web\ndata:\n  a: \"1\"\n  b: \"2\"\n"));
        patch(path + "?fieldManager=bob", APPLY, applied("applied-shrinking", "data:\n  b: \"2\"\n"));

        HttpResponse<String> response = patch(path + "?fieldManager=alice", APPLY, applied("applied-shrinking",
                "  labels:\n    team: blue\ndata:\n  a: \"1\"\n"));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode object = get(path);
        assertEquals(Json.MAPPER.readTree("{\"team\":\"blue\"}"), object.path("metadata").path("labels"));
        assertEquals(Json.MAPPER.readTree("{\"a\":\"1\",\"b\":\"2\"}"), object.path("data"), "b is still bob's");
    }

    @Test
    void forcedServerSideApplyTakesTheFieldOver() throws Exception {
        String path = "/api/v1/namespaces/default/configmaps/applied-forced";
        patch(path + "?fieldManager=alice", APPLY, applied("applied-forced", "data:\n  a: \"1\"\n  b: \"1\"\n"));

        HttpResponse<String> response = patch(path + "?fieldManager=bob&force=true", APPLY,
                applied("applied-forced", "data:\n  a: \"2\"\n"));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode object = get(path);
        assertEquals("2", object.path("data").path("a").asText());
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:b\":{}}}"), managedBy(object, "alice").path("fieldsV1"));
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:a\":{}}}"), managedBy(object, "bob").path("fieldsV1"));
        HttpResponse<String> forcedMerge = patch(path + "?force=true", MERGE, "{}");
        assertEquals("PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for "
                + "non-apply patch", json(forcedMerge).path("message").asText());
    }

    /**
     * The field manager's side of {@link #forcedServerSideApplyTakesTheFieldOver}, which the HTTP
     * handlers cannot reach yet: forced, the conflicting field changes hands and nothing else does.
     */
    @Test
    void forcedApplyMovesOnlyTheConflictingFieldsToTheForcingManager() throws Exception {
        byte[] alice = applied("forced", "data:\n  a: \"1\"\n  b: \"1\"\n").getBytes();
        byte[] bob = applied("forced", "data:\n  a: \"2\"\n").getBytes();
        ObjectNode live = Patches.apply(APPLY, null, alice, new Patches.Options("alice", false), "2026-01-01T00:00:00Z");

        ApiException refused = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> Patches.apply(APPLY, live, bob, new Patches.Options("bob", false), "2026-01-01T00:00:01Z"));
        ObjectNode forced = Patches.apply(APPLY, live, bob, new Patches.Options("bob", true), "2026-01-01T00:00:01Z");

        assertEquals(409, refused.code());
        assertEquals(Json.MAPPER.readTree("{\"a\":\"2\",\"b\":\"1\"}"), forced.path("data"));
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:b\":{}}}"), managedBy(forced, "alice").path("fieldsV1"));
        assertEquals(Json.MAPPER.readTree("{\"f:data\":{\"f:a\":{}}}"), managedBy(forced, "bob").path("fieldsV1"));
        ApiException forcedMerge = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> Patches.apply(MERGE, live, "{}".getBytes(), new Patches.Options(null, true), "now"));
        assertEquals("PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for "
                + "non-apply patch", forcedMerge.getMessage());
    }

    @Test
    void serverSideApplyCreatesACsrAsItsCallerAndAppliesAgain() throws Exception {
        String request = TestCsrs.request().base64();
        String manifest = "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n"
                + "  name: applied-csr\nspec:\n  request: " + request + "\n"
                + "  signerName: kubernetes.io/kube-apiserver-client-kubelet\n  usages: [digital signature, client auth]\n";

        HttpResponse<String> created = patch(CSRS + "applied-csr?fieldManager=kubectl", APPLY, manifest);
        HttpResponse<String> again = patch(CSRS + "applied-csr?fieldManager=kubectl", APPLY,
                manifest.replace("  name: applied-csr\n", "  name: applied-csr\n  labels: {team: blue}\n"));

        assertEquals(201, created.statusCode(), created.body());
        assertEquals("kubernetes-admin", json(created).path("spec").path("username").asText());
        assertEquals(Json.MAPPER.readTree("{\"f:spec\":{\"f:request\":{},\"f:signerName\":{},\"f:usages\":{}}}"),
                managedBy(json(created), "kubectl").path("fieldsV1"));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals("blue", get(CSRS + "applied-csr").path("metadata").path("labels").path("team").asText());
    }

    @Test
    void serverSideApplyToAnExistingCsrRecordsTheManagersFields() throws Exception {
        String path = csr();
        String name = path.substring(path.lastIndexOf('/') + 1);

        HttpResponse<String> response = patch(path + "?fieldManager=labeller", APPLY,
                "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: " + name
                        + "\n  labels: {team: blue}\n");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(Json.MAPPER.readTree("{\"f:metadata\":{\"f:labels\":{\"f:team\":{}}}}"),
                managedBy(get(path), "labeller").path("fieldsV1"));
    }
}
