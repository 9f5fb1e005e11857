package io.csrflow.emulator;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the API server would refuse, with the HTTP code, {@code Status.reason}, message and
 * details it would answer. The factories word each error as apimachinery's {@code errors} package
 * does ({@code NewNotFound}, {@code NewAlreadyExists}, {@code NewConflict}, {@code NewInvalid},
 * {@code NewBadRequest}); they take the qualified resource ({@code configmaps},
 * {@code certificatesigningrequests.certificates.k8s.io}) or, for Invalid, the qualified kind
 * ({@code ConfigMap}, {@code CertificateSigningRequest.certificates.k8s.io}), from which the
 * details' group and kind are split as {@code schema.GroupResource}/{@code GroupKind} print them.
 */
final class ApiException extends RuntimeException {
    /** The message of a write whose resourceVersion is stale ({@code registry.OptimisticLockErrorMsg}). */
    static final String OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest "
            + "version and try again";

    /** {@code Status.details}: null when the API server sends none (BadRequest, Unauthorized). */
    record Details(String name, String group, String kind, List<FieldError> causes) {
    }

    private final int code;
    private final String reason;
    private final Details details;

    /** An error without details of its own; see {@link #status(ApiPath)}. */
    ApiException(int code, String reason, String message) {
        this(code, reason, message, null);
    }

    private ApiException(int code, String reason, String message, Details details) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    /**
     * A plain Go error that reaches the API server's response writer ({@code ErrorToAPIStatus}): 500
     * with the error's text, no reason and no details. Admission plugins return such errors where a
     * retry may succeed (an informer that lags), instead of a Forbidden that is final.
     */
    static ApiException plainError(String message) {
        return new ApiException(500, "", message);
    }

    /** {@code NewNotFound}: {@code configmaps "x" not found}. */
    static ApiException notFound(String qualifiedResource, String name) {
        return new ApiException(404, "NotFound", qualifiedResource + " " + FieldError.quote(name) + " not found",
                details(qualifiedResource, name, List.of()));
    }

    /** {@code NewAlreadyExists}: {@code configmaps "x" already exists}. */
    static ApiException alreadyExists(String qualifiedResource, String name) {
        return new ApiException(409, "AlreadyExists", qualifiedResource + " " + FieldError.quote(name)
                + " already exists", details(qualifiedResource, name, List.of()));
    }

    /**
     * {@code NewForbidden}: 403 with {@code message} (already {@code configmaps "x" is forbidden: ...},
     * see {@link Authorization#forbidden}) and the resource's details; none for a path that is no resource.
     */
    static ApiException forbidden(String qualifiedResource, String name, String message) {
        return new ApiException(403, "Forbidden", message,
                qualifiedResource.isEmpty() ? null : details(qualifiedResource, name, List.of()));
    }

    /** {@code NewConflict} for a stale resourceVersion. */
    static ApiException conflict(String qualifiedResource, String name) {
        return conflict(qualifiedResource, name, OPTIMISTIC_LOCK);
    }

    /** {@code NewConflict}: {@code Operation cannot be fulfilled on configmaps "x": CAUSE}. */
    static ApiException conflict(String qualifiedResource, String name, String cause) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualifiedResource + " "
                + FieldError.quote(name) + ": " + cause, details(qualifiedResource, name, List.of()));
    }

    /**
     * A uid precondition that does not hold: the body names another object than the stored one (it
     * was deleted and created again). The storage layer's error, wrapped by {@code InterpretUpdateError}.
     *
     * @param storageKey the object's key in etcd, e.g. {@code /registry/certificatesigningrequests/x}
     */
    static ApiException uidPreconditionFailed(String qualifiedResource, String name, String storageKey,
            String preconditionUid, String storedUid) {
        return preconditionFailed(qualifiedResource, name, storageKey, "UID in precondition: " + preconditionUid
                + ", UID in object meta: " + storedUid);
    }

    /**
     * A precondition of a write ({@code uid}, or a delete's {@code resourceVersion}) that does not
     * hold: the storage layer's {@code InvalidObjError}, which the registry answers as a Conflict.
     */
    static ApiException preconditionFailed(String qualifiedResource, String name, String storageKey,
            String detail) {
        return conflict(qualifiedResource, name, "StorageError: invalid object, Code: 4, Key: " + storageKey
                + ", ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: " + detail);
    }

    /**
     * {@code NewInvalid}: 422 with one cause per error; the message lists the distinct errors, in
     * brackets when there are several.
     */
    static ApiException invalidFields(String qualifiedKind, String name, List<FieldError> errors) {
        Set<String> distinct = new LinkedHashSet<>();
        errors.forEach(e -> distinct.add(e.toString()));
        String message = qualifiedKind + " " + FieldError.quote(name) + " is invalid";
        if (distinct.size() == 1) {
            message += ": " + distinct.iterator().next();
        } else if (distinct.size() > 1) {
            message += ": [" + String.join(", ", distinct) + "]";
        }
        return new ApiException(422, "Invalid", message, details(qualifiedKind, name, errors));
    }

    /** {@link #invalidFields} for errors written as text ({@code metadata.name: Invalid value: ...}). */
    static ApiException invalid(String qualifiedKind, String name, List<String> fieldErrors) {
        return invalidFields(qualifiedKind, name, fieldErrors.stream().map(FieldError::parse).toList());
    }

    /** {@code configmaps}, {@code leases.coordination.k8s.io}: how errors name the resource of a path. */
    static String qualifiedResource(ApiPath path) {
        return path.group().isEmpty() ? path.resource() : path.resource() + "." + path.group();
    }

    /** {@code ConfigMap}, {@code Lease.coordination.k8s.io}: how Invalid errors name the kind of a path. */
    static String qualifiedKind(ApiPath path) {
        String groupVersion = path.group().isEmpty() ? path.version() : path.group() + "/" + path.version();
        String kind = Discovery.kind(groupVersion, path.resource());
        String name = kind == null ? path.resource() : kind;
        return path.group().isEmpty() ? name : name + "." + path.group();
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }

    Details details() {
        return details;
    }

    /**
     * The Status body. Errors without details of their own get the ones the API server's generic
     * handlers give NotFound, Conflict and MethodNotAllowed answers: the path's name, group and resource.
     */
    ObjectNode status(ApiPath path) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", getMessage());
        // StatusReasonUnknown is "", which the API server leaves out (an error that is no APIStatus).
        putIfPresent(status, "reason", reason);
        Details shown = details;
        if (shown == null && path != null && path.resource() != null && List.of(404, 405, 409).contains(code)) {
            shown = new Details(path.name(), path.group(), path.resource(), List.of());
        }
        if (shown != null) {
            ObjectNode d = status.putObject("details");
            putIfPresent(d, "name", shown.name());
            putIfPresent(d, "group", shown.group());
            putIfPresent(d, "kind", shown.kind());
            if (!shown.causes().isEmpty()) {
                ArrayNode causes = d.putArray("causes");
                for (FieldError cause : shown.causes()) {
                    ObjectNode c = causes.addObject();
                    putIfPresent(c, "reason", cause.reason());
                    putIfPresent(c, "message", cause.body());
                    putIfPresent(c, "field", cause.field());
                }
            }
        }
        status.put("code", code);
        return status;
    }

    private static Details details(String qualified, String name, List<FieldError> causes) {
        int dot = qualified.indexOf('.');
        String kindOrResource = dot < 0 ? qualified : qualified.substring(0, dot);
        String group = dot < 0 ? "" : qualified.substring(dot + 1);
        return new Details(name, group, kindOrResource, List.copyOf(causes));
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }
}
