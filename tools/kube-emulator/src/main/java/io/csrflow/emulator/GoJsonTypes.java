package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What decoding a JSON body into the API's Go types refuses before any validation runs. The API
 * server answers those as 400 BadRequest, {@code KIND in version "v1" cannot be handled as a KIND: }
 * followed by the decoder's error: a {@code []byte} field that is not standard padded base64, a
 * number that does not fit the field's integer type, a value of the wrong JSON type
 * ({@code json: cannot unmarshal string into Go struct field ... of type int32}).
 */
final class GoJsonTypes {
    private final String kind;
    private final String version;

    /** For bodies of {@code kind} in {@code version}, e.g. {@code CertificateSigningRequest}, {@code v1}. */
    GoJsonTypes(String kind, String version) {
        this.kind = kind;
        this.version = version;
    }

    /**
     * A {@code []byte} field: null when absent or null, else the decoded bytes.
     *
     * @param goStruct the Go struct holding the field, e.g. {@code CertificateSigningRequestSpec}
     * @param path     the JSON path of the field, e.g. {@code spec.request}
     */
    byte[] bytes(JsonNode value, String goStruct, String path) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isTextual()) {
            throw typeError(value, goStruct, path, "[]uint8");
        }
        try {
            return GoEncoding.base64(value.textValue().getBytes(StandardCharsets.UTF_8));
        } catch (GoEncoding.CorruptInput e) {
            throw refused(e.getMessage());
        }
    }

    /** An {@code int32} field: null when absent or null. */
    Integer int32(JsonNode value, String goStruct, String path) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isNumber()) {
            throw typeError(value, goStruct, path, "int32");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw refused("json: cannot unmarshal number " + value.asText() + " into Go struct field " + goStruct
                    + "." + path + " of type int32");
        }
        return value.intValue();
    }

    /** A field of a string type, e.g. {@code string} or {@code v1.KeyUsage}. */
    void string(JsonNode value, String goStruct, String path, String goType) {
        if (value != null && !value.isNull() && !value.isMissingNode() && !value.isTextual()) {
            throw typeError(value, goStruct, path, goType);
        }
    }

    /** A list of a string type, e.g. {@code []v1.KeyUsage}. */
    void stringList(JsonNode value, String goStruct, String path, String elementType) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        if (!value.isArray()) {
            throw typeError(value, goStruct, path, "[]" + elementType);
        }
        value.forEach(element -> string(element, goStruct, path, elementType));
    }

    /**
     * A field of a struct or list type ({@code v1beta1.PodCertificateRequestSpec}, {@code []v1.Condition}):
     * absent or null is fine, a JSON value of another kind is refused.
     */
    void structure(JsonNode value, boolean isArray, String goStruct, String path, String goType) {
        if (value != null && !value.isNull() && !value.isMissingNode() && (isArray ? !value.isArray()
                : !value.isObject())) {
            throw typeError(value, goStruct, path, goType);
        }
    }

    /** An {@code int64} field: null when absent or null. */
    Long int64(JsonNode value, String goStruct, String path) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isNumber()) {
            throw typeError(value, goStruct, path, "int64");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw refused("json: cannot unmarshal number " + value.asText() + " into Go struct field " + goStruct
                    + "." + path + " of type int64");
        }
        return value.longValue();
    }

    /** A {@code map[string]string} field. */
    void stringMap(JsonNode value, String goStruct, String path) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        if (!value.isObject()) {
            throw typeError(value, goStruct, path, "map[string]string");
        }
        value.forEach(entry -> string(entry, goStruct, path, "string"));
    }

    /**
     * A {@code metav1.Time} field, which decodes itself: a JSON string in RFC 3339, or null. Its own
     * errors carry no field name. Null when absent or null (the zero time).
     */
    java.time.Instant time(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isTextual()) {
            String jsonType = value.isNumber() ? "number" : value.isBoolean() ? "bool" : value.isArray() ? "array"
                    : "object";
            throw refused("json: cannot unmarshal " + jsonType + " into Go value of type string");
        }
        String text = value.textValue();
        try {
            return java.time.OffsetDateTime.parse(text, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            // time.Parse names the first layout element that did not match; the year is the usual one.
            throw refused("parsing time " + FieldError.quote(text) + " as \"2006-01-02T15:04:05Z07:00\": cannot "
                    + "parse " + FieldError.quote(text) + " as \"2006\"");
        }
    }

    private ApiException typeError(JsonNode value, String goStruct, String path, String goType) {
        String jsonType = value.isTextual() ? "string" : value.isNumber() ? "number" : value.isBoolean() ? "bool"
                : value.isArray() ? "array" : "object";
        return refused("json: cannot unmarshal " + jsonType + " into Go struct field " + goStruct + "." + path
                + " of type " + goType);
    }

    private ApiException refused(String decoderError) {
        return ApiException.badRequest(kind + " in version " + FieldError.quote(version) + " cannot be handled as a "
                + kind + ": " + decoderError);
    }
}
