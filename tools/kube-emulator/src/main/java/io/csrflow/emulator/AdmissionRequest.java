package io.csrflow.emulator;

import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A write as the admission plugins see it ({@code admission.Attributes}): the operation, where it
 * goes, who asks, and the new and the stored object, each read only if a plugin asks for it.
 */
final class AdmissionRequest {
    enum Operation { CREATE, UPDATE, DELETE }

    private final Operation operation;
    private final ApiPath path;
    private final EmulatorConfig.User caller;
    private final Supplier<ObjectNode> object;
    private final Supplier<ObjectNode> oldObject;
    private ObjectNode objectRead;
    private ObjectNode oldObjectRead;

    private AdmissionRequest(Operation operation, ApiPath path, EmulatorConfig.User caller,
            Supplier<ObjectNode> object, Supplier<ObjectNode> oldObject) {
        this.operation = operation;
        this.path = path;
        this.caller = caller;
        this.object = object;
        this.oldObject = oldObject;
    }

    /**
     * The admission request of an HTTP write, or null for a method that writes nothing. A PATCH's
     * body is a patch, not the object: {@link #object()} is then null.
     */
    static AdmissionRequest of(String method, ApiPath path, EmulatorConfig.User caller, Supplier<ObjectNode> body,
            Supplier<ObjectNode> stored) {
        return switch (method) {
            case "POST" -> new AdmissionRequest(Operation.CREATE, path, caller, body, () -> null);
            case "PUT" -> new AdmissionRequest(Operation.UPDATE, path, caller, body, stored);
            case "PATCH" -> new AdmissionRequest(Operation.UPDATE, path, caller, () -> null, stored);
            case "DELETE" -> new AdmissionRequest(Operation.DELETE, path, caller, () -> null, stored);
            default -> null;
        };
    }

    Operation operation() {
        return operation;
    }

    ApiPath path() {
        return path;
    }

    EmulatorConfig.User caller() {
        return caller;
    }

    boolean is(String group, String resource, String subresource) {
        return path.is(group, resource) && java.util.Objects.equals(subresource, path.subresource());
    }

    /** The object as written (null for a patch or a delete). */
    ObjectNode object() {
        if (objectRead == null) {
            objectRead = object.get();
        }
        return objectRead;
    }

    /** The stored object an update or delete changes (404 if there is none). */
    ObjectNode oldObject() {
        if (oldObjectRead == null) {
            oldObjectRead = oldObject.get();
        }
        return oldObjectRead;
    }

    /** The name of the object: from the path, or from the body of a create. */
    String name() {
        if (path.name() != null) {
            return path.name();
        }
        ObjectNode created = operation == Operation.CREATE ? object() : null;
        return created == null ? "" : created.path("metadata").path("name").asText("");
    }

    /** {@code admission.NewForbidden}: the object's resource and name, then why. */
    ApiException forbidden(String why) {
        return Authorization.forbidden(path.resource(), path.group(), name(), why);
    }
}
