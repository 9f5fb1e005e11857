package io.csrflow.emulator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * What the API's types look like, read from fabric8's model classes (the same Go types, generated):
 * OpenAPI schemas for the documents kubectl validates against, and the unknown fields of a request
 * body for server-side field validation. One reading of the model serves both, so the documents and
 * the validation can never disagree.
 */
final class ModelSchemas {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<Class<?>, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();

    private ModelSchemas() {
    }

    /** Go {@code []byte} fields (base64 on the wire) that fabric8 models as plain strings. */
    private static final java.util.Set<String> BYTE_FIELDS = java.util.Set.of("CertificateSigningRequestSpec.request",
            "CertificateSigningRequestStatus.certificate", "Secret.data", "ConfigMap.binaryData",
            "PodCertificateRequestSpec.pkixPublicKey", "PodCertificateRequestSpec.proofOfPossession");

    /** fabric8 keeps these apimachinery types beside the core ones; Kubernetes names them as meta/v1's. */
    private static final java.util.Set<String> META_TYPES = java.util.Set.of("ObjectMeta", "ListMeta",
            "OwnerReference", "ManagedFieldsEntry", "FieldsV1", "MicroTime", "LabelSelector",
            "LabelSelectorRequirement", "Status", "StatusDetails", "StatusCause", "Condition", "DeleteOptions",
            "Preconditions");

    /**
     * The OpenAPI definition name of a model class, as Kubernetes names its types:
     * {@code io.k8s.api.<group>.<version>.<Kind>}, meta types under {@code io.k8s.apimachinery.pkg.apis.meta.v1}.
     * fabric8 leaves the version out of some packages ({@code rbac}, {@code authentication}); those are v1.
     */
    static String definitionName(Class<?> type) {
        String local = LocalModels.definitionName(type);
        if (local != null) {
            return local;
        }
        String name = type.getName().replace('$', '.');
        String prefix = "io.fabric8.kubernetes.api.model.";
        if (!name.startsWith(prefix)) {
            return name;
        }
        String rest = name.substring(prefix.length());
        int dot = rest.lastIndexOf('.');
        String simple = rest.substring(dot + 1);
        if (dot < 0) {
            return (META_TYPES.contains(simple) ? "io.k8s.apimachinery.pkg.apis.meta.v1." : "io.k8s.api.core.v1.")
                    + simple;
        }
        String pkg = rest.substring(0, dot);
        if (!pkg.matches(".*\\.v\\d+((alpha|beta)\\d+)?")) {
            pkg += ".v1";
        }
        return "io.k8s.api." + pkg + "." + simple;
    }

    /**
     * Adds the schema of {@code type} and of every type it refers to, to {@code definitions}.
     *
     * @param refPrefix {@code #/components/schemas/} (OpenAPI v3) or {@code #/definitions/} (v2)
     */
    static void define(Class<?> type, ObjectNode definitions, String refPrefix) {
        String name = definitionName(type);
        if (definitions.has(name)) {
            return;
        }
        ObjectNode schema = definitions.putObject(name);
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        for (Map.Entry<String, JavaType> property : properties(type).entrySet()) {
            ObjectNode propertySchema = schemaOf(property.getValue(), definitions, refPrefix);
            if (BYTE_FIELDS.contains(type.getSimpleName() + "." + property.getKey())) {
                (propertySchema.has("additionalProperties") ? (ObjectNode) propertySchema.get("additionalProperties")
                        : propertySchema).put("format", "byte");
            }
            properties.set(property.getKey(), propertySchema);
        }
    }

    private static ObjectNode schemaOf(JavaType type, ObjectNode definitions, String refPrefix) {
        ObjectNode schema = Json.MAPPER.createObjectNode();
        Class<?> raw = type.getRawClass();
        if (type.isCollectionLikeType() || type.isArrayType() && raw != byte[].class) {
            schema.put("type", "array");
            schema.set("items", schemaOf(type.getContentType(), definitions, refPrefix));
        } else if (type.isMapLikeType()) {
            schema.put("type", "object");
            schema.set("additionalProperties", schemaOf(type.getContentType(), definitions, refPrefix));
        } else if (raw == String.class || raw == Character.class || raw.isEnum() || raw == Quantity.class) {
            schema.put("type", "string");
        } else if (raw == byte[].class) {
            schema.put("type", "string").put("format", "byte");
        } else if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class) {
            schema.put("type", "integer").put("format", "int32");
        } else if (raw == Long.class || raw == long.class) {
            schema.put("type", "integer").put("format", "int64");
        } else if (raw == Boolean.class || raw == boolean.class) {
            schema.put("type", "boolean");
        } else if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class
                || raw == BigDecimal.class) {
            schema.put("type", "number");
        } else if (raw == MicroTime.class) {
            schema.put("type", "string").put("format", "date-time");
        } else if (raw == IntOrString.class) {
            schema.put("x-kubernetes-int-or-string", true);
        } else if (isOpen(raw)) {
            schema.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        } else {
            define(raw, definitions, refPrefix);
            schema.put("$ref", refPrefix + definitionName(raw));
        }
        return schema;
    }

    /**
     * The fields of {@code json} that {@code type} does not have, as dotted paths ({@code spec.foo},
     * {@code metadata.labels} never: a map takes any key), in the order they appear.
     */
    static List<String> unknownFields(JsonNode json, Class<?> type) {
        List<String> unknown = new ArrayList<>();
        collect(json, MAPPER.constructType(type), "", unknown, false);
        return unknown;
    }

    /**
     * Removes from {@code json} the fields {@code type} does not have, as decoding into the API
     * server's Go types drops them: what is stored never has them, whatever the field validation.
     */
    static void dropUnknownFields(ObjectNode json, Class<?> type) {
        collect(json, MAPPER.constructType(type), "", new ArrayList<>(), true);
    }

    private static void collect(JsonNode json, JavaType type, String path, List<String> unknown, boolean drop) {
        Class<?> raw = type.getRawClass();
        if (json == null || json.isNull() || isOpen(raw)) {
            return;
        }
        if ((type.isCollectionLikeType() || type.isArrayType()) && json.isArray()) {
            int i = 0;
            for (JsonNode item : json) {
                collect(item, type.getContentType(), path + "[" + i++ + "]", unknown, drop);
            }
            return;
        }
        if (type.isMapLikeType() && json.isObject()) {
            json.fields().forEachRemaining(e -> collect(e.getValue(), type.getContentType(),
                    path + "." + e.getKey(), unknown, drop));
            return;
        }
        if (!json.isObject() || !isModel(raw)) {
            return;
        }
        Map<String, JavaType> properties = properties(raw);
        for (var fields = json.fields(); fields.hasNext();) {
            var e = fields.next();
            String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JavaType property = properties.get(e.getKey());
            if (property == null) {
                unknown.add(field);
                if (drop) {
                    fields.remove();
                }
            } else {
                collect(e.getValue(), property, field, unknown, drop);
            }
        }
    }

    private static Map<String, JavaType> properties(Class<?> type) {
        return PROPERTIES.computeIfAbsent(type, t -> {
            BeanDescription description = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(t));
            Map<String, JavaType> found = new LinkedHashMap<>();
            for (BeanPropertyDefinition property : description.findProperties()) {
                if (property.hasSetter() || property.hasField() || property.hasConstructorParameter()) {
                    found.put(property.getName(), property.getPrimaryType());
                }
            }
            return found;
        });
    }

    private static boolean isModel(Class<?> type) {
        return KubernetesResource.class.isAssignableFrom(type) || type.getName().startsWith("io.fabric8.kubernetes.api.model");
    }

    /** Types whose content is free-form: any JSON, as the API's RawExtension, JSON and FieldsV1 fields. */
    private static boolean isOpen(Class<?> type) {
        return type == Object.class || type == FieldsV1.class || JsonNode.class.isAssignableFrom(type)
                || type.getSimpleName().equals("AnyType") || type.getSimpleName().equals("RawExtension");
    }
}
