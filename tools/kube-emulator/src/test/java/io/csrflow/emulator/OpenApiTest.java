package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The OpenAPI documents kubectl reads before create and apply, and the server-side field
 * validation they announce. The served kinds come from discovery, so a kind served without a
 * schema fails here.
 */
class OpenApiTest {
    static KubeEmulator emulator;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private record Kind(String group, String version, String kind) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** The definition name Kubernetes gives the type: io.k8s.api.core.v1.Node, io.k8s.api.rbac.v1.Role. */
        String definitionName() {
            String shortGroup = group.isEmpty() ? "core" : group.substring(0, group.indexOf('.'));
            return "io.k8s.api." + shortGroup + "." + version + "." + kind;
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return Json.MAPPER.readTree(response.body());
    }

    /** Every kind discovery announces (subresources aside), group by group. */
    private static List<Kind> servedKinds() throws IOException, InterruptedException {
        List<String> groupVersions = new ArrayList<>();
        getJson("/api").path("versions").forEach(v -> groupVersions.add(v.asText()));
        getJson("/apis").path("groups").forEach(g -> g.path("versions")
                .forEach(v -> groupVersions.add(v.path("groupVersion").asText())));
        List<Kind> kinds = new ArrayList<>();
        for (String groupVersion : groupVersions) {
            JsonNode resources = getJson((groupVersion.contains("/") ? "/apis/" : "/api/") + groupVersion);
            for (JsonNode resource : resources.path("resources")) {
                if (!resource.path("name").asText().contains("/")) {
                    kinds.add(new Kind(groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/'))
                            : "", groupVersion.substring(groupVersion.indexOf('/') + 1), resource.path("kind").asText()));
                }
            }
        }
        assertTrue(kinds.size() >= 15, kinds.toString());
        return kinds;
    }

    private static boolean declares(JsonNode schema, Kind kind) {
        for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
            if (gvk.path("group").asText().equals(kind.group()) && gvk.path("version").asText().equals(kind.version())
                    && gvk.path("kind").asText().equals(kind.kind())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void swaggerV2DefinesEveryServedKindUnderItsKubernetesName() throws Exception {
        JsonNode v2 = getJson("/openapi/v2");
        assertEquals("2.0", v2.path("swagger").asText());
        for (Kind kind : servedKinds()) {
            JsonNode definition = v2.path("definitions").path(kind.definitionName());
            assertTrue(declares(definition, kind), kind + " has no definition " + kind.definitionName());
            assertEquals("object", definition.path("type").asText(), kind.toString());
            assertTrue(definition.path("properties").has("metadata"), kind + ": " + definition);
        }
        JsonNode csr = v2.path("definitions").path("io.k8s.api.certificates.v1.CertificateSigningRequestSpec");
        assertEquals("string", csr.path("properties").path("request").path("type").asText());
        assertEquals("byte", csr.path("properties").path("request").path("format").asText());
        assertEquals("integer", csr.path("properties").path("expirationSeconds").path("type").asText());
        assertEquals("array", csr.path("properties").path("usages").path("type").asText());
        assertEquals("string", v2.path("definitions").path("io.k8s.api.events.v1.Event").path("properties")
                .path("eventTime").path("type").asText(), "a MicroTime is a string on the wire");
    }

    @Test
    void openApiV3ListsEachServedGroupVersionWithTheSchemasOfItsKinds() throws Exception {
        JsonNode root = getJson("/openapi/v3");
        List<Kind> kinds = servedKinds();
        TreeSet<String> groupVersions = new TreeSet<>();
        kinds.forEach(k -> groupVersions.add(k.groupVersion()));
        TreeSet<String> listed = new TreeSet<>();
        root.path("paths").fieldNames().forEachRemaining(listed::add);
        TreeSet<String> expected = new TreeSet<>();
        groupVersions.forEach(gv -> expected.add((gv.contains("/") ? "apis/" : "api/") + gv));
        assertEquals(expected, listed);

        for (String groupVersion : groupVersions) {
            String path = (groupVersion.contains("/") ? "apis/" : "api/") + groupVersion;
            String url = root.path("paths").path(path).path("serverRelativeURL").asText();
            assertTrue(url.startsWith("/openapi/v3/" + path + "?hash="), url);
            JsonNode document = getJson(url);
            assertEquals("3.0.0", document.path("openapi").asText());
            for (Kind kind : kinds.stream().filter(k -> k.groupVersion().equals(groupVersion)).toList()) {
                JsonNode schema = document.path("components").path("schemas").path(kind.definitionName());
                assertTrue(declares(schema, kind), kind + " in " + url);
            }
        }
    }

    /** kubectl validates on the server only when the create operation declares fieldValidation. */
    @Test
    void createOperationsDeclareTheFieldValidationParameter() throws Exception {
        JsonNode document = getJson("/openapi/v3/apis/certificates.k8s.io/v1");
        JsonNode post = document.path("paths").path("/apis/certificates.k8s.io/v1/certificatesigningrequests")
                .path("post");
        List<String> parameters = new ArrayList<>();
        post.path("parameters").forEach(p -> parameters.add(p.path("name").asText()));
        assertTrue(parameters.contains("fieldValidation"), post.toString());
        assertEquals("CertificateSigningRequest", post.path("x-kubernetes-group-version-kind").path("kind").asText());
        assertTrue(document.path("paths").has("/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/approval"));
        JsonNode configMaps = getJson("/openapi/v3/api/v1").path("paths")
                .path("/api/v1/namespaces/{namespace}/configmaps/{name}");
        assertFalse(configMaps.path("patch").isMissingNode(), configMaps.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/openapi/v3/foo", "/openapi/v3/apis/foo.example.com/v1", "/openapi/v3/api/v2",
        "/openapi/v4"})
    void unknownOpenApiDocumentsAreNotFound(String path) throws Exception {
        assertEquals(404, get(path).statusCode());
    }

    @ParameterizedTest(name = "fieldValidation={0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "Strict | 400 | | ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"metadata.bogus\", unknown field \"bogus\"",
        "Warn   | 201 | 299 - \"unknown field \\\"metadata.bogus\\\"\",299 - \"unknown field \\\"bogus\\\"\" |",
        "''     | 201 | 299 - \"unknown field \\\"metadata.bogus\\\"\",299 - \"unknown field \\\"bogus\\\"\" |",
        "Ignore | 201 | |",
        "strict | 422 | | CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
    })
    void validatesFieldsAsTheDirectiveSays(String directive, int status, String warnings, String message)
            throws Exception {
        String name = "fv-" + (directive.isEmpty() ? "default" : directive.toLowerCase(Locale.ROOT)) + "-" + status;
        String query = directive.isEmpty() ? "" : "?fieldValidation=" + directive;
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                + "/api/v1/namespaces/default/configmaps" + query))
                .header("Authorization", "Bearer admin-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                        + "{\"name\":\"" + name + "\",\"bogus\":true},\"data\":{\"a\":\"b\"},\"bogus\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(status, response.statusCode(), response.body());
        assertEquals(warnings == null ? List.of() : List.of(warnings.split(",(?=299)")),
                response.headers().allValues("Warning"));
        if (message != null) {
            assertEquals(message, Json.MAPPER.readTree(response.body()).path("message").asText());
        } else {
            assertEquals("b", getJson("/api/v1/namespaces/default/configmaps/" + name).path("data").path("a").asText());
        }
    }

    @Test
    void strictValidationNamesNestedUnknownFieldsOfACsr() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                + "/apis/certificates.k8s.io/v1/certificatesigningrequests?fieldValidation=Strict"))
                .header("Authorization", "Bearer admin-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"apiVersion\":\"certificates.k8s.io/v1\","
                        + "\"kind\":\"CertificateSigningRequest\",\"metadata\":{\"name\":\"fv-csr\"},"
                        + "\"spec\":{\"bogus\":1,\"usages\":[\"client auth\"],\"signerName\":\"example.com/x\","
                        + "\"request\":\"\"},\"status\":{\"conditions\":[{\"type\":\"Approved\",\"extra\":1}]}}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(400, response.statusCode(), response.body());
        JsonNode status = Json.MAPPER.readTree(response.body());
        assertEquals("BadRequest", status.path("reason").asText());
        assertEquals("CertificateSigningRequest in version \"v1\" cannot be handled as a CertificateSigningRequest: "
                + "strict decoding error: unknown field \"spec.bogus\", unknown field \"status.conditions[0].extra\"",
                status.path("message").asText());
    }

    @Test
    void managedFieldsAreNoUnknownFields() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                + "/api/v1/namespaces/default/configmaps?fieldValidation=Strict"))
                .header("Authorization", "Bearer admin-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"fv-managed\",\"managedFields\":"
                        + "[{\"manager\":\"m\",\"operation\":\"Apply\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":"
                        + "{\"f:data\":{\"f:a\":{}}}}]},\"data\":{\"a\":\"b\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    @Test
    void unknownFieldsAreNotStored() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                + "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore"))
                .header("Authorization", "Bearer admin-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"fv-dropped\"},\"bogus\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        assertNotNull(getJson("/api/v1/namespaces/default/configmaps/fv-dropped").path("metadata").get("uid"));
        assertFalse(getJson("/api/v1/namespaces/default/configmaps/fv-dropped").has("bogus"));
    }
}
