package io.csrflow.emulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The API server's generic REST handlers over the {@link ObjectStore}: get, list (selectors,
 * {@code limit}/{@code continue}, resourceVersion semantics), watch, create, update (of the object
 * or its {@code /status}), patch, delete and deletecollection, with the status codes and bodies
 * the API server answers. Kind-specific rules (CSRs) stay with the dispatcher, which stores
 * through the same store.
 */
final class StorageRequests {
    private final ObjectStore store;
    private final java.util.Map<StoredResource, ObjectRules> rules;

    StorageRequests(ObjectStore store, java.util.Map<StoredResource, ObjectRules> rules) {
        this.store = store;
        this.rules = rules;
    }

    private ObjectRules rules(StoredResource resource) {
        return rules.getOrDefault(resource, ObjectRules.NONE);
    }

    /** A create through the kind's rules, under the write lock they need. */
    private ObjectStore.Stored checkedCreate(StoredResource resource, String namespace, ObjectNode body) {
        return store.writeLocked(() -> {
            rules(resource).create(body, resource.namespaced() ? namespace : null);
            return store.create(resource, namespace, body);
        });
    }

    /** An update by {@code caller} through the kind's rules; callers hold the write lock. */
    private ObjectStore.Stored checkedUpdate(StoredResource resource, ApiPath path, ObjectNode body,
            ObjectStore.Part part, EmulatorConfig.User caller) {
        ObjectStore.Stored existing = store.get(resource, path.namespace(), path.name());
        ObjectRules kindRules = rules(resource);
        if (existing != null && kindRules != ObjectRules.NONE) {
            ObjectNode old = resource.fromStored(existing.tree());
            if (part == ObjectStore.Part.OBJECT && resource.statusSubresource()) {
                keep(old, body, "status");
            } else if (part == ObjectStore.Part.STATUS) {
                keep(old, body, "spec");
            }
            kindRules.update(old, body, part, caller);
        }
        return store.update(resource, path.namespace(), path.name(), body, part);
    }

    private static void keep(ObjectNode old, ObjectNode body, String field) {
        if (old.hasNonNull(field)) {
            body.set(field, old.get(field).deepCopy());
        } else {
            body.remove(field);
        }
    }

    /** The stored resource a path names; 404 as the API server answers for resources it does not serve. */
    static StoredResource resource(ApiPath path) {
        StoredResource resource = StoredResource.of(path.group(), path.version(), path.resource());
        if (resource == null) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        return resource;
    }

    /**
     * A GET: one object, a list or a watch. {@code watchTable} turns an object into the Table a
     * watch event carries when the client asked for Tables (null: plain objects).
     */
    MockResponse read(RecordedRequest request, ApiPath path, Function<JsonNode, ObjectNode> watchTable) {
        StoredResource resource = resource(path);
        ListOptions options = ListOptions.parse(path.query());
        if (path.subresource() != null && !(path.subresource().equals("status") && resource.statusSubresource())) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource");
        }
        if (options.watch()) {
            LabelSelector labels = LabelSelector.parse(options.labelSelector());
            FieldSelector fields = FieldSelector.parse(options.fieldSelector(), resource);
            WatchStream stream = new WatchStream(store, resource, path.namespace(), path.name(), labels, fields,
                    options.allowWatchBookmarks(), watchTable, options.timeoutSeconds());
            store.watch(stream, options);
            return new WatchResponse(stream);
        }
        if (path.name() != null) {
            ObjectStore.Stored stored = store.get(resource, path.namespace(), path.name());
            if (stored == null) {
                throw ApiException.notFound(resource.qualifiedName(), path.name());
            }
            return object(200, resource, stored);
        }
        LabelSelector labels = LabelSelector.parse(options.labelSelector());
        FieldSelector fields = FieldSelector.parse(options.fieldSelector(), resource);
        try {
            return json(200, list(resource, store.list(resource, path.namespace(), options, labels, fields)));
        } catch (ObjectStore.ExpiredContinue e) {
            ObjectNode status = Json.status(410, "Expired", e.getMessage(), null);
            ((ObjectNode) status.get("metadata")).put("continue", e.inconsistentContinue());
            return json(410, Json.write(status).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** POST: 201 with the stored object. */
    MockResponse create(ApiPath path, ObjectNode body) {
        StoredResource resource = resource(path);
        if (path.name() != null) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    + "resource");
        }
        return object(201, resource, checkedCreate(resource, path.namespace(), body));
    }

    /** PUT on the object or its {@code /status}: 200 with the stored object (201 when the PUT created it). */
    MockResponse update(ApiPath path, ObjectNode body, EmulatorConfig.User caller) {
        StoredResource resource = resource(path);
        ObjectStore.Part part = part(resource, path);
        return store.writeLocked(() -> {
            boolean existed = store.get(resource, path.namespace(), path.name()) != null;
            ObjectStore.Stored stored = checkedUpdate(resource, path, body, part, caller);
            return object(existed ? 200 : 201, resource, stored);
        });
    }

    /** PUT of an object whose kind's rules the caller has applied already (CSRs): stored as given. */
    MockResponse replace(ApiPath path, ObjectNode object) {
        StoredResource resource = resource(path);
        return object(200, resource, store.update(resource, path.namespace(), path.name(), object,
                ObjectStore.Part.ALL));
    }

    /**
     * PATCH ({@link Patches}: merge, JSON, strategic merge, apply) on the object or its
     * {@code /status}: the patched object is stored as an update, guarded by the resourceVersion
     * the patch carries, if any.
     */
    MockResponse patch(RecordedRequest request, ApiPath path, EmulatorConfig.User caller, PatchAdmission admission) {
        StoredResource resource = resource(path);
        ObjectStore.Part part = part(resource, path);
        String contentType = request.getHeader("Content-Type");
        Patches.Options options = Patches.Options.of(path.query());
        String now = store.clock().instant().truncatedTo(ChronoUnit.SECONDS).toString();
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        return store.writeLocked(() -> {
            ObjectStore.Stored existing = store.get(resource, path.namespace(), path.name());
            if (existing == null) {
                if (!Patches.APPLY.equals(Patches.base(contentType))) {
                    throw ApiException.notFound(resource.qualifiedName(), path.name());
                }
                ObjectNode created = Patches.apply(contentType, null, body, options, now);
                Json.object(created, "metadata").put("name", path.name());
                admission.admit(created, null);
                return object(201, resource, checkedCreate(resource, path.namespace(), created));
            }
            ObjectNode current = resource.fromStored(existing.tree());
            ObjectNode patched = Patches.apply(contentType, current, body, options, now);
            admission.admit(patched, current);
            String requested = Json.text(patched.path("metadata"), "resourceVersion");
            if (requested == null || requested.isEmpty()) {
                Json.object(patched, "metadata").put("resourceVersion", String.valueOf(existing.resourceVersion));
            }
            return object(200, resource, checkedUpdate(resource, path, patched, part, caller));
        });
    }

    /** Admission of what a PATCH results in: {@code stored} null when the patch creates the object. */
    interface PatchAdmission {
        void admit(ObjectNode patched, ObjectNode stored);
    }

    /** DELETE of one object: the object or a Success Status, as the resource's registry answers. */
    MockResponse delete(RecordedRequest request, ApiPath path) {
        StoredResource resource = resource(path);
        JsonNode options = request.getBody() == null || request.getBody().size() == 0 ? Json.MAPPER.createObjectNode()
                : Json.parseObject(request.getBody().getBytes());
        JsonNode preconditions = options.path("preconditions");
        ObjectStore.Deletion deletion = store.delete(resource, path.namespace(), path.name(),
                Json.text(preconditions, "uid"), Json.text(preconditions, "resourceVersion"));
        if (!deletion.deleted() || resource.returnsDeletedObject()) {
            return object(200, resource, deletion.object());
        }
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        ObjectNode details = status.putObject("details");
        details.put("name", deletion.object().name);
        details.put("group", resource.group());
        details.put("kind", resource.resource());
        details.put("uid", deletion.object().uid);
        return json(200, Json.write(status).getBytes(StandardCharsets.UTF_8));
    }

    /** DELETE on a collection: every object the selectors match, answered as the list of what was deleted. */
    MockResponse deleteCollection(ApiPath path) {
        StoredResource resource = resource(path);
        ListOptions options = ListOptions.parse(path.query());
        LabelSelector labels = LabelSelector.parse(options.labelSelector());
        FieldSelector fields = FieldSelector.parse(options.fieldSelector(), resource);
        return store.writeLocked(() -> {
            ObjectStore.Page page = store.list(resource, path.namespace(), ListOptions.parse(""), labels, fields);
            List<ObjectStore.Stored> deleted = new java.util.ArrayList<>();
            for (ObjectStore.Stored stored : page.items()) {
                deleted.add(store.delete(resource, stored.namespace, stored.name, null, null).object());
            }
            return json(200, list(resource, new ObjectStore.Page(deleted, store.revision(), null, null)));
        });
    }

    private static ObjectStore.Part part(StoredResource resource, ApiPath path) {
        if (path.name() == null) {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                    + "resource");
        }
        if (path.subresource() == null) {
            return ObjectStore.Part.OBJECT;
        }
        if (path.subresource().equals("status") && resource.statusSubresource()) {
            return ObjectStore.Part.STATUS;
        }
        throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    /** The list document, assembled from the stored bytes: {@code KindList} with the page's resourceVersion. */
    static byte[] list(StoredResource resource, ObjectStore.Page page) {
        ObjectNode metadata = Json.MAPPER.createObjectNode();
        metadata.put("resourceVersion", String.valueOf(page.resourceVersion()));
        if (page.continueToken() != null) {
            metadata.put("continue", page.continueToken());
        }
        if (page.remainingItemCount() != null) {
            metadata.put("remainingItemCount", page.remainingItemCount());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + page.items().size() * 2048);
        out.writeBytes(("{\"kind\":\"" + resource.kind() + "List\",\"apiVersion\":\"" + resource.apiVersion()
                + "\",\"metadata\":" + Json.write(metadata) + ",\"items\":[").getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (ObjectStore.Stored stored : page.items()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.writeBytes(bytes(resource, stored));
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] bytes(StoredResource resource, ObjectStore.Stored stored) {
        return resource.storage() == resource ? stored.json
                : Json.write(resource.fromStored(stored.tree())).getBytes(StandardCharsets.UTF_8);
    }

    private static MockResponse object(int code, StoredResource resource, ObjectStore.Stored stored) {
        return json(code, bytes(resource, stored));
    }

    private static MockResponse json(int code, byte[] body) {
        return new MockResponse().setResponseCode(code).setBody(body).setHeader("Content-Type", "application/json");
    }
}
