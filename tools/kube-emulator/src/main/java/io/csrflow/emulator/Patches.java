package io.csrflow.emulator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The API server's four PATCH types, applied to a stored object: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902), strategic merge patch (kubectl apply, annotate, label) and server-side apply.
 *
 * <p>Strategic merge patch merges the lists whose Go field carries {@code patchStrategy:"merge"}
 * ({@link #PATCH_MERGE_KEYS}, {@link #PATCH_SETS}) and replaces every other list, honouring the
 * directives kubectl sends ({@code $patch}, {@code $retainKeys}, {@code $setElementOrder/...},
 * {@code $deleteFromPrimitiveList/...}). Server-side apply merges by the API's list types instead
 * ({@code +listType=map}: {@link #APPLY_MAP_KEYS}), records what each manager applied in
 * {@code metadata.managedFields} (FieldsV1), refuses with 409 to change a value another manager owns
 * unless forced (the force moves ownership), and removes the fields a manager applied before and no
 * longer applies when nobody else owns them. Only Apply managers own fields here: the emulator
 * records no managedFields for creates, updates and the other patch types, so they never conflict.
 */
final class Patches {
    static final String MERGE = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    static final String STRATEGIC = "application/strategic-merge-patch+json";
    static final String APPLY = "application/apply-patch+yaml";

    /** In the order kube-apiserver lists them when it refuses another (built-in kinds, so with strategic). */
    private static final List<String> SUPPORTED = List.of(JSON_PATCH, MERGE, STRATEGIC, APPLY);

    /**
     * Lists a strategic merge patch merges by a key ({@code patchMergeKey}), by {@code Kind:path};
     * {@code *} for every kind. CSR conditions have no patch strategy: a strategic patch replaces them.
     */
    private static final Map<String, String> PATCH_MERGE_KEYS = Map.of(
            "*:metadata.ownerReferences", "uid",
            "Node:status.conditions", "type",
            "Node:status.addresses", "type",
            "Namespace:status.conditions", "type");
    /** Lists of scalars a strategic merge patch merges as sets ({@code patchStrategy:"merge"}). */
    private static final Set<String> PATCH_SETS = Set.of("*:metadata.finalizers");
    /** Lists server-side apply merges by key ({@code +listType=map}, {@code +listMapKey}). */
    private static final Map<String, String> APPLY_MAP_KEYS = Map.of(
            "*:metadata.ownerReferences", "uid",
            "Node:status.conditions", "type",
            "Node:status.addresses", "type",
            "Namespace:status.conditions", "type",
            "CertificateSigningRequest:status.conditions", "type");
    /** Lists server-side apply merges as sets ({@code +listType=set}). */
    private static final Set<String> APPLY_SETS = Set.of("*:metadata.finalizers");
    /** Fields the API server's field manager never records (its {@code stripSet}). */
    private static final Set<String> UNMANAGED_METADATA = Set.of("name", "namespace", "creationTimestamp", "selfLink",
            "uid", "clusterName", "generation", "managedFields", "resourceVersion");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The PATCH query parameters that matter here ({@code metav1.PatchOptions}). */
    record Options(String fieldManager, boolean force) {
        /** From a request's query string. */
        static Options of(String query) {
            Map<String, String> parameters = ListOptions.parameters(query == null ? "" : query);
            return new Options(parameters.get("fieldManager"), "true".equals(parameters.get("force")));
        }
    }

    private Patches() {
    }

    /** The content types accepted, as kube-apiserver answers 415 to others. */
    static boolean supported(String contentType) {
        return SUPPORTED.contains(base(contentType));
    }

    static String base(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    }

    /**
     * The object after the patch; {@code stored} is not changed. For {@code APPLY} a null
     * {@code stored} means the object is created from the applied configuration.
     *
     * @throws ApiException 415, 400, 409 or 422 when the patch cannot be applied, as the API server words it
     */
    static ObjectNode apply(String contentType, ObjectNode stored, byte[] body, Options options, String now) {
        String type = base(contentType);
        if (!SUPPORTED.contains(type)) {
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                    + "accepted media types include: " + String.join(", ", SUPPORTED));
        }
        checkOptions(type, options);
        String kind = stored == null ? null : stored.path("kind").asText(null);
        return withoutEmptyOptionalFields(switch (type) {
            case MERGE -> object(mergePatch(stored.deepCopy(), object(parse(body))));
            case STRATEGIC -> object(strategic(stored.deepCopy(), object(parse(body)), new Lists(kind,
                    PATCH_MERGE_KEYS, PATCH_SETS), ""));
            case JSON_PATCH -> jsonPatch(stored.deepCopy(), parse(body));
            default -> serverSideApply(stored, object(parseYaml(body)), options, now);
        });
    }

    /** ObjectMeta's maps and lists, and a ConfigMap's or Secret's data: {@code omitempty} in the Go types. */
    private static final List<String> OMITTED_WHEN_EMPTY = List.of("metadata.labels", "metadata.annotations",
            "metadata.finalizers", "metadata.ownerReferences", "metadata.managedFields", "data", "binaryData",
            "stringData");

    /**
     * The patched object as the API server stores it after decoding it into its Go type: an
     * {@code omitempty} map or list left empty by the patch (the last label removed) is gone.
     */
    private static ObjectNode withoutEmptyOptionalFields(ObjectNode object) {
        for (String path : OMITTED_WHEN_EMPTY) {
            int dot = path.lastIndexOf('.');
            JsonNode parent = dot < 0 ? object : object.path(path.substring(0, dot));
            String field = path.substring(dot + 1);
            if (parent instanceof ObjectNode holder && holder.get(field) != null
                    && holder.get(field).isContainerNode() && holder.get(field).isEmpty()) {
                holder.remove(field);
            }
        }
        return object;
    }

    /** {@code ValidatePatchOptions}: apply needs a manager; force is for apply alone. */
    private static void checkOptions(String type, Options options) {
        List<String> errors = new ArrayList<>();
        if (type.equals(APPLY)) {
            if (options.fieldManager() == null || options.fieldManager().isEmpty()) {
                errors.add("fieldManager: Required value: is required for apply patch");
            }
        } else if (options.force()) {
            errors.add("force: Forbidden: may not be specified for non-apply patch");
        }
        if (options.fieldManager() != null && options.fieldManager().length() > 128) {
            errors.add("fieldManager: Too long: may not be more than 128 bytes");
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("PatchOptions.meta.k8s.io", "", errors);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null) {
                throw new ApiException(400, "BadRequest", "unexpected end of JSON input");
            }
            return node;
        } catch (IOException e) {
            throw new ApiException(400, "BadRequest", "invalid JSON in the patch: " + e.getMessage());
        }
    }

    /** Apply bodies are YAML, of which JSON is a subset. */
    private static JsonNode parseYaml(byte[] body) {
        try {
            JsonNode node = YAML.readTree(body);
            return node == null ? Json.MAPPER.createObjectNode() : node;
        } catch (IOException e) {
            throw new ApiException(400, "BadRequest", "error decoding YAML: " + e.getMessage());
        }
    }

    private static ObjectNode object(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw new ApiException(400, "BadRequest", "json: cannot unmarshal " + goType(node)
                    + " into Go value of type map[string]interface {}");
        }
        return object;
    }

    private static String goType(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        return node.isArray() ? "array" : node.isTextual() ? "string" : node.isNumber() ? "number"
                : node.isBoolean() ? "bool" : "object";
    }

    /** RFC 7386: null deletes, objects merge, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : Json.MAPPER.createObjectNode();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        });
        return result;
    }

    /** Which lists of a kind merge by key and which as sets, for one of the two merging patch types. */
    private record Lists(String kind, Map<String, String> mergeKeys, Set<String> sets) {
        String mergeKey(String path) {
            String key = mergeKeys.get(kind + ":" + path);
            return key != null ? key : mergeKeys.get("*:" + path);
        }

        boolean isSet(String path) {
            return sets.contains(kind + ":" + path) || sets.contains("*:" + path);
        }
    }

    private static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static JsonNode strategic(JsonNode target, JsonNode patch, Lists lists, String path) {
        if (!patch.isObject()) {
            return patch.isArray() ? withoutDirectives((ArrayNode) patch) : patch.deepCopy();
        }
        if ("replace".equals(patch.path("$patch").asText(null))) {
            ObjectNode replaced = (ObjectNode) patch.deepCopy();
            replaced.remove("$patch");
            return replaced;
        }
        if ("delete".equals(patch.path("$patch").asText(null))) {
            return null;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : Json.MAPPER.createObjectNode();
        List<String> retain = null;
        if (patch.has("$retainKeys")) {
            retain = new ArrayList<>();
            for (JsonNode k : patch.get("$retainKeys")) {
                retain.add(k.asText());
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = e.getKey();
            if (key.startsWith("$setElementOrder/") || key.equals("$retainKeys") || key.equals("$patch")) {
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String list = key.substring("$deleteFromPrimitiveList/".length());
                if (result.get(list) instanceof ArrayNode values) {
                    ArrayNode kept = Json.MAPPER.createArrayNode();
                    values.forEach(v -> {
                        if (!contains(e.getValue(), v)) {
                            kept.add(v);
                        }
                    });
                    result.set(list, kept);
                }
                continue;
            }
            JsonNode value = e.getValue();
            String fieldPath = child(path, key);
            String mergeKey = lists.mergeKey(fieldPath);
            if (value.isNull()) {
                result.remove(key);
            } else if (value.isArray() && replacesList((ArrayNode) value)) {
                result.set(key, withoutDirectives((ArrayNode) value));
            } else if (value.isArray() && mergeKey != null && result.get(key) instanceof ArrayNode live) {
                result.set(key, mergeByKey(live, (ArrayNode) value, mergeKey, lists, fieldPath));
            } else if (value.isArray() && lists.isSet(fieldPath) && result.get(key) instanceof ArrayNode live) {
                ArrayNode union = live.deepCopy();
                value.forEach(v -> {
                    if (!contains(union, v)) {
                        union.add(v);
                    }
                });
                result.set(key, union);
            } else {
                JsonNode merged = strategic(result.get(key), value, lists, fieldPath);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            }
        }
        if (retain != null) {
            List<String> names = new ArrayList<>();
            result.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!retain.contains(name)) {
                    result.remove(name);
                }
            }
        }
        return result;
    }

    /** A list holding {@code {"$patch": "replace"}} replaces the live one with its other items. */
    private static boolean replacesList(ArrayNode patch) {
        for (JsonNode item : patch) {
            if (item.isObject() && "replace".equals(item.path("$patch").asText(null))) {
                return true;
            }
        }
        return false;
    }

    private static ArrayNode withoutDirectives(ArrayNode list) {
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode item : list) {
            if (!(item.isObject() && item.has("$patch") && item.size() == 1)) {
                kept.add(item.deepCopy());
            }
        }
        return kept;
    }

    private static ArrayNode mergeByKey(ArrayNode live, ArrayNode patch, String mergeKey, Lists lists, String path) {
        ArrayNode result = live.deepCopy();
        for (JsonNode item : patch) {
            String key = item.path(mergeKey).asText(null);
            int found = -1;
            for (int i = 0; i < result.size(); i++) {
                if (key != null && key.equals(result.get(i).path(mergeKey).asText(null))) {
                    found = i;
                }
            }
            if ("delete".equals(item.path("$patch").asText(null))) {
                if (found >= 0) {
                    result.remove(found);
                }
            } else if (found >= 0) {
                result.set(found, strategic(result.get(found), item, lists, path));
            } else {
                result.add(item.deepCopy());
            }
        }
        return result;
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (sameValue(v, value)) {
                return true;
            }
        }
        return false;
    }

    /** JSON equality with numbers compared by value (YAML and JSON parse 1 and 1.0 to different nodes). */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        Comparator<JsonNode> numeric = (x, y) -> x.equals(y) || x.isNumber() && y.isNumber()
                && x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
        return a.equals(numeric, b);
    }

    /**
     * RFC 6902, with RFC 6901 pointers. kube-apiserver answers any operation that does not apply,
     * a failed {@code test} included, with a 422 that keeps the reason to itself.
     */
    private static ObjectNode jsonPatch(ObjectNode target, JsonNode operations) {
        if (!operations.isArray()) {
            throw new ApiException(400, "BadRequest", "json: cannot unmarshal " + goType(operations)
                    + " into Go value of type jsonpatch.Patch");
        }
        JsonNode document = target;
        try {
            for (JsonNode op : operations) {
                document = operation(document, op);
            }
        } catch (ApiException e) {
            if (e.code() == 422) {
                throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request");
            }
            throw e;
        }
        return object(document);
    }

    private static JsonNode operation(JsonNode document, JsonNode op) {
        String kind = op.path("op").asText("");
        String path = op.path("path").asText(null);
        if (path == null) {
            throw new ApiException(422, "Invalid", "the JSON patch operation has no path: " + op);
        }
        return switch (kind) {
            case "add" -> JsonPointers.add(document, path, op.get("value"));
            case "remove" -> JsonPointers.remove(document, path);
            case "replace" -> {
                JsonPointers.get(document, path);
                yield JsonPointers.add(JsonPointers.remove(document, path), path, op.get("value"));
            }
            case "move" -> {
                JsonNode value = JsonPointers.get(document, op.path("from").asText());
                yield JsonPointers.add(JsonPointers.remove(document, op.path("from").asText()), path, value);
            }
            case "copy" -> JsonPointers.add(document, path, JsonPointers.get(document, op.path("from").asText()));
            case "test" -> {
                if (!sameValue(JsonPointers.get(document, path), op.get("value"))) {
                    throw new ApiException(422, "Invalid", "testing value " + path + " failed");
                }
                yield document;
            }
            default -> throw new ApiException(422, "Invalid", "unexpected kind of JSON patch operation \"" + kind + "\"");
        };
    }

    /**
     * Server-side apply: the applied configuration merged into the live object, conflicts with other
     * managers refused (or, forced, taken over), fields this manager gave up removed, its ownership recorded.
     */
    private static ObjectNode serverSideApply(ObjectNode stored, ObjectNode applied, Options options, String now) {
        String manager = options.fieldManager();
        ObjectNode live = stored == null ? Json.MAPPER.createObjectNode() : stored.deepCopy();
        String kind = applied.path("kind").asText(live.path("kind").asText(""));
        Lists lists = new Lists(kind, APPLY_MAP_KEYS, APPLY_SETS);
        Set<List<String>> applying = fieldSet(applied, lists);

        List<ObjectNode> entries = new ArrayList<>();
        live.path("metadata").path("managedFields").forEach(e -> entries.add((ObjectNode) e.deepCopy()));
        ObjectNode own = null;
        Map<ObjectNode, Set<List<String>>> others = new LinkedHashMap<>();
        for (ObjectNode entry : entries) {
            if (manager.equals(entry.path("manager").asText()) && "Apply".equals(entry.path("operation").asText())
                    && entry.path("subresource").asText("").isEmpty()) {
                own = entry;
            } else {
                others.put(entry, paths(entry.path("fieldsV1")));
            }
        }

        Map<ObjectNode, List<List<String>>> conflicts = new LinkedHashMap<>();
        for (List<String> field : applying) {
            if (!field.get(field.size() - 1).startsWith("f:")) {
                continue;
            }
            for (Map.Entry<ObjectNode, Set<List<String>>> other : others.entrySet()) {
                if (other.getValue().contains(field) && !sameValue(resolve(applied, field), resolve(live, field))) {
                    conflicts.computeIfAbsent(other.getKey(), k -> new ArrayList<>()).add(field);
                }
            }
        }
        if (!conflicts.isEmpty() && !options.force()) {
            throw conflict(conflicts);
        }
        conflicts.forEach((entry, fields) -> fields.forEach(others.get(entry)::remove));

        Set<List<String>> givenUp = own == null ? new LinkedHashSet<>() : paths(own.path("fieldsV1"));
        givenUp.removeAll(applying);
        others.values().forEach(givenUp::removeAll);

        ObjectNode result = object(strategic(live, withoutMetadata(applied), lists, ""));
        givenUp.stream().sorted(Comparator.comparingInt(p -> -p.size())).forEach(p -> remove(result, p));

        ArrayNode managed = Json.MAPPER.createArrayNode();
        for (ObjectNode entry : entries) {
            if (entry == own) {
                continue;
            }
            Set<List<String>> kept = others.get(entry);
            if (conflicts.containsKey(entry)) {
                if (kept.isEmpty()) {
                    continue;
                }
                entry.set("fieldsV1", fieldsV1(kept));
            }
            managed.add(entry);
        }
        ObjectNode entry = managed.addObject();
        entry.put("manager", manager).put("operation", "Apply")
                .put("apiVersion", applied.path("apiVersion").asText(live.path("apiVersion").asText()))
                .put("time", now).put("fieldsType", "FieldsV1");
        entry.set("fieldsV1", fieldsV1(applying));
        Json.object(result, "metadata").set("managedFields", managed);
        return result;
    }

    /** The applied configuration without the metadata the server sets (an apply cannot set managedFields). */
    private static ObjectNode withoutMetadata(ObjectNode applied) {
        ObjectNode copy = applied.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("managedFields");
        }
        return copy;
    }

    /** {@code NewApplyConflict}, worded as the field manager words it. */
    private static ApiException conflict(Map<ObjectNode, List<List<String>>> conflicts) {
        int count = conflicts.values().stream().mapToInt(List::size).sum();
        if (count == 1) {
            Map.Entry<ObjectNode, List<List<String>>> only = conflicts.entrySet().iterator().next();
            return new ApiException(409, "Conflict", "Apply failed with 1 conflict: conflict with "
                    + printManager(only.getKey()) + ": " + printPath(only.getValue().get(0)));
        }
        Map<String, List<String>> byManager = new java.util.TreeMap<>();
        conflicts.forEach((entry, fields) -> fields.forEach(f -> byManager.computeIfAbsent(printManager(entry),
                k -> new ArrayList<>()).add(printPath(f))));
        List<String> lines = new ArrayList<>();
        byManager.forEach((manager, fields) -> {
            lines.add("conflicts with " + manager + ":");
            fields.forEach(f -> lines.add("- " + f));
        });
        return new ApiException(409, "Conflict", "Apply failed with " + count + " conflicts: " + String.join("\n", lines));
    }

    private static String printManager(ObjectNode entry) {
        String printed = FieldError.quote(entry.path("manager").asText());
        if (!entry.path("subresource").asText("").isEmpty()) {
            printed += " with subresource " + FieldError.quote(entry.path("subresource").asText());
        }
        if ("Update".equals(entry.path("operation").asText())) {
            printed += " using " + entry.path("apiVersion").asText();
            if (!entry.path("time").asText("").isEmpty()) {
                printed += " at " + entry.path("time").asText();
            }
        }
        return printed;
    }

    /** A field path as structured-merge-diff prints it: {@code .metadata.labels.a}, {@code [type="Ready"]}. */
    private static String printPath(List<String> path) {
        StringBuilder printed = new StringBuilder();
        for (String element : path) {
            if (element.startsWith("f:")) {
                printed.append('.').append(element.substring(2));
            } else if (element.startsWith("k:")) {
                List<String> parts = new ArrayList<>();
                parse(element.substring(2)).fields().forEachRemaining(f -> parts.add(f.getKey() + "=" + f.getValue()));
                printed.append('[').append(String.join(",", parts)).append(']');
            } else if (element.startsWith("v:")) {
                printed.append("[=").append(element.substring(2)).append(']');
            }
        }
        return printed.toString();
    }

    private static JsonNode parse(String json) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The fields an applied configuration sets, as paths of FieldsV1 elements ({@code f:name},
     * {@code k:{"type":"Ready"}} for an item of a keyed list, {@code v:"x"} for a set's value). An
     * item's own path stands for the item ({@code "."} in FieldsV1).
     */
    private static Set<List<String>> fieldSet(ObjectNode applied, Lists lists) {
        Set<List<String>> fields = new LinkedHashSet<>();
        applied.fields().forEachRemaining(e -> {
            if (List.of("apiVersion", "kind").contains(e.getKey())) {
                return;
            }
            if (e.getKey().equals("metadata") && e.getValue().isObject()) {
                e.getValue().fields().forEachRemaining(m -> {
                    if (!UNMANAGED_METADATA.contains(m.getKey())) {
                        collect(m.getValue(), List.of("f:metadata", "f:" + m.getKey()), "metadata." + m.getKey(),
                                lists, fields);
                    }
                });
                return;
            }
            collect(e.getValue(), List.of("f:" + e.getKey()), e.getKey(), lists, fields);
        });
        return fields;
    }

    private static void collect(JsonNode value, List<String> path, String dotted, Lists lists,
            Set<List<String>> fields) {
        String mergeKey = lists.mergeKey(dotted);
        if (value.isObject() && !value.isEmpty()) {
            value.fields().forEachRemaining(e -> collect(e.getValue(), append(path, "f:" + e.getKey()),
                    dotted + "." + e.getKey(), lists, fields));
        } else if (value.isArray() && mergeKey != null) {
            for (JsonNode item : value) {
                ObjectNode key = Json.MAPPER.createObjectNode();
                key.set(mergeKey, item.path(mergeKey));
                List<String> itemPath = append(path, "k:" + Json.write(key));
                fields.add(itemPath);
                item.fields().forEachRemaining(e -> collect(e.getValue(), append(itemPath, "f:" + e.getKey()),
                        dotted + "." + e.getKey(), lists, fields));
            }
        } else if (value.isArray() && lists.isSet(dotted)) {
            for (JsonNode item : value) {
                fields.add(append(path, "v:" + Json.write(item)));
            }
        } else {
            fields.add(path);
        }
    }

    private static List<String> append(List<String> path, String element) {
        List<String> longer = new ArrayList<>(path);
        longer.add(element);
        return List.copyOf(longer);
    }

    /** FieldsV1 as the API server writes it: nested objects, {@code {}} at each leaf, {@code ".": {}} for items. */
    private static ObjectNode fieldsV1(Set<List<String>> fields) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        for (List<String> path : new TreeSet<>(fields.stream().map(p -> String.join("\u0000", p)).toList())
                .stream().map(p -> List.of(p.split("\u0000"))).toList()) {
            ObjectNode node = root;
            for (String element : path) {
                node = Json.object(node, element);
            }
            if (path.get(path.size() - 1).startsWith("k:")) {
                node.putObject(".");
            }
        }
        return root;
    }

    /** The paths a FieldsV1 tree records (the inverse of {@link #fieldsV1}). */
    private static Set<List<String>> paths(JsonNode fieldsV1) {
        Set<List<String>> paths = new LinkedHashSet<>();
        collectPaths(fieldsV1, List.of(), paths);
        return paths;
    }

    private static void collectPaths(JsonNode node, List<String> path, Set<List<String>> paths) {
        if (!node.isObject()) {
            return;
        }
        if (!path.isEmpty() && (node.isEmpty() || node.has("."))) {
            paths.add(path);
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().equals(".")) {
                collectPaths(e.getValue(), append(path, e.getKey()), paths);
            }
        });
    }

    /** The value at a FieldsV1 path, or null. */
    private static JsonNode resolve(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String element : path) {
            node = step(node, element);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static JsonNode step(JsonNode node, String element) {
        if (element.startsWith("f:")) {
            return node.isObject() ? node.get(element.substring(2)) : null;
        }
        int index = indexOf(node, element);
        return index < 0 ? null : node.get(index);
    }

    private static int indexOf(JsonNode list, String element) {
        if (!list.isArray()) {
            return -1;
        }
        JsonNode wanted = parse(element.substring(2));
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (element.startsWith("v:") && sameValue(item, wanted)) {
                return i;
            }
            if (element.startsWith("k:")) {
                boolean matches = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> key = it.next();
                    matches &= sameValue(item.get(key.getKey()), key.getValue());
                }
                if (matches) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Removes the field or item at a FieldsV1 path, if it is there. */
    private static void remove(ObjectNode root, List<String> path) {
        JsonNode parent = resolve(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object && last.startsWith("f:")) {
            object.remove(last.substring(2));
        } else if (parent instanceof ArrayNode array) {
            int index = indexOf(array, last);
            if (index >= 0) {
                array.remove(index);
            }
        }
    }
}
