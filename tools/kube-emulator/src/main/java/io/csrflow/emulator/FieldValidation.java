package io.csrflow.emulator;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Server-side field validation, as kube-apiserver does it for {@code ?fieldValidation=}: fields a
 * kind does not have are refused ({@code Strict}, what kubectl sends unless told
 * {@code --validate=false}), reported as warnings ({@code Warn}, the default) or dropped
 * ({@code Ignore}). kubectl asks for it because the OpenAPI documents declare the parameter.
 */
final class FieldValidation {
    private FieldValidation() {
    }

    /**
     * @return the warnings to send (empty when there are none, or when told to ignore them)
     * @throws ApiException 400 BadRequest naming the unknown fields, for {@code Strict}; 422 for a
     *                      directive that is none of the three, as the request's options are validated
     *                      ({@code CreateOptions}, or {@code UpdateOptions} for a body that names the
     *                      resourceVersion it replaces)
     */
    static List<String> check(String directive, JsonNode body, String groupVersion, String kind) {
        String mode = directive == null || directive.isEmpty() ? "Warn" : directive;
        if (!List.of("Strict", "Warn", "Ignore").contains(mode)) {
            boolean update = body != null && !body.path("metadata").path("resourceVersion").asText("").isEmpty();
            throw ApiException.invalidFields((update ? "UpdateOptions" : "CreateOptions") + ".meta.k8s.io", "",
                    List.of(FieldError.notSupported("fieldValidation", FieldError.quote(mode),
                            List.of("", "Ignore", "Strict", "Warn"))));
        }
        Class<?> model = kind == null ? null : OpenApiDocuments.modelOf(groupVersion, kind);
        if (mode.equals("Ignore") || model == null || body == null || !body.isObject()) {
            return List.of();
        }
        List<String> unknown = ModelSchemas.unknownFields(body, model).stream()
                .map(field -> "unknown field \"" + field + "\"").toList();
        if (!unknown.isEmpty() && mode.equals("Strict")) {
            String version = groupVersion.substring(groupVersion.indexOf('/') + 1);
            throw new ApiException(400, "BadRequest", kind + " in version \"" + version + "\" cannot be handled as a "
                    + kind + ": strict decoding error: " + String.join(", ", unknown));
        }
        return unknown;
    }
}
