package io.csrflow.emulator;

import java.util.List;

/**
 * A request the API server would refuse, with the HTTP code and {@code Status.reason} it would
 * answer (Conflict, Invalid, NotFound, Unauthorized, BadRequest, ...).
 */
final class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final List<String> causes;

    ApiException(int code, String reason, String message) {
        this(code, reason, message, List.of());
    }

    ApiException(int code, String reason, String message, List<String> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.causes = List.copyOf(causes);
    }

    static ApiException conflict(String resource, String name) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + resource + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again");
    }

    static ApiException notFound(String resource, String name) {
        return new ApiException(404, "NotFound", resource + " \"" + name + "\" not found");
    }

    /** A 422 whose message lists every field error, as the API server words it. */
    static ApiException invalid(String kind, String name, List<String> fieldErrors) {
        String detail = fieldErrors.size() == 1 ? fieldErrors.get(0) : fieldErrors.toString();
        return new ApiException(422, "Invalid", kind + " \"" + name + "\" is invalid: " + detail, fieldErrors);
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }

    List<String> causes() {
        return causes;
    }
}
