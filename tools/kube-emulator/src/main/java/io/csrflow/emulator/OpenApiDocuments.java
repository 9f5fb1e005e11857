package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The OpenAPI documents kube-apiserver publishes, for the kinds the emulator serves: {@code /openapi/v2}
 * (one Swagger 2.0 document) and {@code /openapi/v3} (a root listing one OpenAPI 3.0 document per group
 * version). kubectl reads them before {@code create} and {@code apply}: every write operation declares
 * the {@code fieldValidation} query parameter, as the API server's do, so kubectl asks the server to
 * validate ({@code fieldValidation=Strict}, see {@link FieldValidation}) instead of refusing to run.
 * Schemas come from fabric8's model classes ({@link ModelSchemas}).
 */
final class OpenApiDocuments {
    private static final KubernetesSerialization KINDS = new KubernetesSerialization();
    private static final String V3_REF = "#/components/schemas/";
    private static final String V2_REF = "#/definitions/";

    private OpenApiDocuments() {
    }

    /** The model class of a served kind: fabric8's, else the emulator's own ({@link LocalModels}), else null. */
    static Class<? extends KubernetesResource> modelOf(String groupVersion, String kind) {
        Class<? extends KubernetesResource> local = LocalModels.of(groupVersion, kind);
        return local != null ? local : KINDS.getRegisteredKubernetesResource(groupVersion, kind);
    }

    /** The document for {@code path} ({@code /openapi/v2}, {@code /openapi/v3}, {@code /openapi/v3/apis/g/v}), or null. */
    static ObjectNode document(String path) {
        String p = path.replaceAll("/+$", "");
        if (p.equals("/openapi/v2")) {
            return v2();
        }
        if (p.equals("/openapi/v3")) {
            return v3Root();
        }
        if (p.startsWith("/openapi/v3/")) {
            String gvPath = p.substring("/openapi/v3/".length());
            String groupVersion = gvPath.startsWith("api/") ? gvPath.substring(4)
                    : gvPath.startsWith("apis/") ? gvPath.substring(5) : null;
            return groupVersion == null || !groupVersions().contains(groupVersion) ? null : v3(groupVersion);
        }
        return null;
    }

    private static TreeSet<String> groupVersions() {
        TreeSet<String> all = new TreeSet<>();
        Discovery.served().forEach(s -> all.add(s.groupVersion()));
        return all;
    }

    private static ObjectNode v3Root() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode paths = root.putObject("paths");
        for (String groupVersion : groupVersions()) {
            String gvPath = prefix(groupVersion).substring(1);
            // The hash lets clients cache a group version's document until it changes.
            paths.putObject(gvPath).put("serverRelativeURL", "/openapi/v3/" + gvPath + "?hash="
                    + hash(v3(groupVersion).toString()));
        }
        return root;
    }

    private static ObjectNode v3(String groupVersion) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0-csrflow-emulator");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (Discovery.Served served : Discovery.served()) {
            if (served.groupVersion().equals(groupVersion)) {
                addPaths(served, paths, schemas, V3_REF, true);
            }
        }
        return doc;
    }

    private static ObjectNode v2() {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0-csrflow-emulator");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode definitions = doc.putObject("definitions");
        Discovery.served().forEach(served -> addPaths(served, paths, definitions, V2_REF, false));
        return doc;
    }

    private static void addPaths(Discovery.Served served, ObjectNode paths, ObjectNode schemas, String refPrefix,
            boolean v3) {
        Class<? extends KubernetesResource> model = modelOf(served.groupVersion(), served.kind());
        String ref = null;
        if (model != null) {
            ModelSchemas.define(model, schemas, refPrefix);
            String name = ModelSchemas.definitionName(model);
            ArrayNode gvks = Json.array((ObjectNode) schemas.get(name), "x-kubernetes-group-version-kind");
            ObjectNode gvk = Json.MAPPER.createObjectNode().put("group", group(served.groupVersion()))
                    .put("kind", served.kind()).put("version", version(served.groupVersion()));
            if (!gvks.toString().contains(gvk.toString())) {
                gvks.add(gvk);
            }
            ref = refPrefix + name;
        }
        String base = prefix(served.groupVersion()) + (served.namespaced() ? "/namespaces/{namespace}" : "");
        boolean subresource = served.name().contains("/");
        String resource = subresource ? served.name().substring(0, served.name().indexOf('/')) : served.name();
        String item = base + "/" + resource + "/{name}" + (subresource ? served.name().substring(resource.length()) : "");
        Map<String, String> itemVerbs = new TreeMap<>(Map.of("get", "get", "update", "put", "patch", "patch",
                "delete", "delete"));
        Map<String, String> collectionVerbs = new TreeMap<>(Map.of("list", "get", "create", "post"));
        ObjectNode itemPath = Json.MAPPER.createObjectNode();
        ObjectNode collectionPath = Json.MAPPER.createObjectNode();
        for (String verb : served.verbs()) {
            if (itemVerbs.containsKey(verb) && (subresource || !verb.equals("create"))) {
                itemPath.set(itemVerbs.get(verb), operation(served, verb, ref, v3));
            }
            if (!subresource && collectionVerbs.containsKey(verb)) {
                collectionPath.set(collectionVerbs.get(verb), operation(served, verb, ref, v3));
            }
        }
        if (!collectionPath.isEmpty()) {
            paths.set(base + "/" + resource, collectionPath);
        }
        if (!itemPath.isEmpty() && !List.of("create").equals(served.verbs())) {
            paths.set(item, itemPath);
        }
    }

    private static ObjectNode operation(Discovery.Served served, String verb, String ref, boolean v3) {
        ObjectNode op = Json.MAPPER.createObjectNode();
        op.put("operationId", verb + served.kind() + served.name().replace("/", "_"));
        op.put("x-kubernetes-action", verb);
        op.putObject("x-kubernetes-group-version-kind").put("group", group(served.groupVersion()))
                .put("kind", served.kind()).put("version", version(served.groupVersion()));
        ArrayNode parameters = op.putArray("parameters");
        if (List.of("create", "update", "patch").contains(verb)) {
            for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
                ObjectNode parameter = parameters.addObject().put("name", name).put("in", "query")
                        .put("uniqueItems", true);
                if (v3) {
                    parameter.putObject("schema").put("type", "string");
                } else {
                    parameter.put("type", "string");
                }
            }
        }
        if (ref != null) {
            ObjectNode schemaRef = Json.MAPPER.createObjectNode().put("$ref", ref);
            ObjectNode ok = op.putObject("responses").putObject("200").put("description", "OK");
            if (v3) {
                ok.putObject("content").putObject("application/json").set("schema", schemaRef);
                if (List.of("create", "update").contains(verb)) {
                    op.putObject("requestBody").putObject("content").putObject("*/*").set("schema", schemaRef.deepCopy());
                }
            } else {
                ok.set("schema", schemaRef);
                if (List.of("create", "update").contains(verb)) {
                    parameters.addObject().put("name", "body").put("in", "body").put("required", true)
                            .set("schema", schemaRef.deepCopy());
                }
            }
        } else {
            op.putObject("responses").putObject("200").put("description", "OK");
        }
        return op;
    }

    private static String prefix(String groupVersion) {
        return groupVersion.contains("/") ? "/apis/" + groupVersion : "/api/" + groupVersion;
    }

    private static String group(String groupVersion) {
        return groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
    }

    private static String version(String groupVersion) {
        return groupVersion.substring(groupVersion.indexOf('/') + 1);
    }

    private static String hash(String document) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(document.getBytes(StandardCharsets.UTF_8))).substring(0, 32).toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
