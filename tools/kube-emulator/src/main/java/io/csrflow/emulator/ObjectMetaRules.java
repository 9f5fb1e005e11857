package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The parts of apimachinery's {@code ValidateObjectMeta} and of the generic registry's create path
 * that every kind shares: name generation from {@code generateName}, the path-segment rule every
 * name must meet (the only rule for kinds that accept any name, such as CSRs), and label and
 * annotation syntax. Messages are apimachinery's, as of Kubernetes 1.36.
 */
final class ObjectMetaRules {
    private static final String LABEL_KEY_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final Pattern LABEL_KEY = Pattern.compile(LABEL_KEY_FORMAT);
    private static final String LABEL_VALUE_FORMAT = "(" + LABEL_KEY_FORMAT + ")?";
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FORMAT);
    private static final String DNS_SUBDOMAIN_FORMAT =
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(DNS_SUBDOMAIN_FORMAT);
    private static final int TOTAL_ANNOTATION_SIZE = 256 * 1024;

    private ObjectMetaRules() {
    }

    /** Sets {@code metadata.name} from {@code generateName} when only the latter is given. */
    static void generateName(ObjectNode metadata) {
        String name = Json.text(metadata, "name");
        String base = Json.text(metadata, "generateName");
        if ((name == null || name.isEmpty()) && base != null && !base.isEmpty()) {
            metadata.put("name", GeneratedNames.generate(base));
        }
    }

    /**
     * The metadata errors of a kind's own validation when its name function accepts every name:
     * a name (or generateName) is required, labels and annotations must be well-formed.
     */
    static List<FieldError> validate(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        String name = Json.text(metadata, "name");
        if (name == null || name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
        }
        errors.addAll(labelsAndAnnotations(metadata));
        return errors;
    }

    /** Labels and annotations as {@code ValidateLabels} and {@code ValidateAnnotations} check them. */
    static List<FieldError> labelsAndAnnotations(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> label : entries(metadata.path("labels"))) {
            for (String message : labelKeyProblems(label.getKey())) {
                errors.add(FieldError.invalid("metadata.labels", FieldError.quote(label.getKey()), message));
            }
            String value = label.getValue().asText();
            for (String message : labelValueProblems(value)) {
                errors.add(FieldError.invalid("metadata.labels", FieldError.quote(value), message));
            }
        }
        long size = 0;
        for (Map.Entry<String, JsonNode> annotation : entries(metadata.path("annotations"))) {
            for (String message : labelKeyProblems(annotation.getKey().toLowerCase(Locale.ROOT))) {
                errors.add(FieldError.invalid("metadata.annotations", FieldError.quote(annotation.getKey()), message));
            }
            size += utf8Length(annotation.getKey()) + utf8Length(annotation.getValue().asText());
        }
        if (size > TOTAL_ANNOTATION_SIZE) {
            errors.add(FieldError.tooLong("metadata.annotations", TOTAL_ANNOTATION_SIZE));
        }
        return errors;
    }

    /**
     * The generic create check that follows a kind's own validation: name and generateName must be
     * usable as a URL path segment ({@code path.ValidatePathSegmentName}).
     */
    static List<FieldError> pathSegmentProblems(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        String generateName = Json.text(metadata, "generateName");
        if (generateName != null && !generateName.isEmpty()) {
            for (String message : pathSegmentPrefixProblems(generateName)) {
                errors.add(FieldError.invalid("metadata.generateName", FieldError.quote(generateName), message));
            }
        }
        String name = Json.text(metadata, "name");
        if (name == null || name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else if (name.equals(".") || name.equals("..")) {
            errors.add(FieldError.invalid("metadata.name", FieldError.quote(name), "may not be '" + name + "'"));
        } else {
            for (String message : pathSegmentPrefixProblems(name)) {
                errors.add(FieldError.invalid("metadata.name", FieldError.quote(name), message));
            }
        }
        return errors;
    }

    /**
     * The uid precondition of an update: a uid in the body must be the stored object's, or the
     * update is a 409 Conflict (checked before the resourceVersion).
     */
    static void checkUidPrecondition(ApiPath path, JsonNode body, JsonNode stored) {
        String uid = Json.text(body.path("metadata"), "uid");
        String storedUid = Json.text(stored.path("metadata"), "uid");
        if (uid != null && !uid.isEmpty() && !uid.equals(storedUid)) {
            throw ApiException.uidPreconditionFailed(ApiException.qualifiedResource(path), path.name(),
                    ObjectStore.storageKey(StorageRequests.resource(path).storage(), path.namespace(), path.name()),
                    uid, storedUid);
        }
    }

    private static List<String> pathSegmentPrefixProblems(String name) {
        List<String> problems = new ArrayList<>();
        for (String illegal : List.of("/", "%")) {
            if (name.contains(illegal)) {
                problems.add("may not contain '" + illegal + "'");
            }
        }
        return problems;
    }

    /** {@code IsQualifiedName}: an optional DNS-subdomain prefix and a name of at most 63 bytes. */
    static List<String> labelKeyProblems(String key) {
        List<String> problems = new ArrayList<>();
        String[] parts = key.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                problems.add("prefix part must be non-empty");
            } else {
                if (utf8Length(prefix) > 253) {
                    problems.add("prefix part must be no more than 253 bytes");
                }
                if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
                    problems.add("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                            + "'example.com', regex used for validation is '" + DNS_SUBDOMAIN_FORMAT + "')");
                }
            }
        } else {
            problems.add("a valid label key " + labelKeyRegexError() + " with an optional DNS subdomain prefix and "
                    + "'/' (e.g. 'example.com/MyName')");
            return problems;
        }
        if (name.isEmpty()) {
            problems.add("name part must be non-empty");
        } else if (utf8Length(name) > 63) {
            problems.add("name part must be no more than 63 bytes");
        }
        if (!LABEL_KEY.matcher(name).matches()) {
            problems.add("name part " + labelKeyRegexError());
        }
        return problems;
    }

    /** {@code IsValidLabelValue}: empty, or at most 63 bytes of the label-key characters. */
    static List<String> labelValueProblems(String value) {
        List<String> problems = new ArrayList<>();
        if (utf8Length(value) > 63) {
            problems.add("must be no more than 63 bytes");
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            problems.add("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                    + "'.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or "
                    + "'12345', regex used for validation is '" + LABEL_VALUE_FORMAT + "')");
        }
        return problems;
    }

    private static String labelKeyRegexError() {
        return "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '"
                + LABEL_KEY_FORMAT + "')";
    }

    private static Iterable<Map.Entry<String, JsonNode>> entries(JsonNode node) {
        return node instanceof ObjectNode object ? object::fields : List.of();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
