package io.csrflow.emulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code certificates.k8s.io/v1beta1} PodCertificateRequests as kube-apiserver 1.35 stores them
 * ({@code pkg/registry/certificates/podcertificaterequest}): a create defaults
 * {@code spec.maxExpirationSeconds} to 86400, starts with an empty status and is validated by
 * {@link PodCertificateRequestSpecCheck}; an update of the object may change metadata only (the spec
 * is immutable, the status kept); an update of {@code /status} keeps spec and metadata, is validated by
 * {@link PodCertificateRequestStatusCheck}, and when it changes the status the writer needs verb
 * {@code sign} on the signer ({@code signers} in {@code certificates.k8s.io}, the signer's name or
 * {@code <domain>/*}), which the status strategy checks after validation and so answers 422 as well.
 * Fields the v1beta1 type does not have are dropped as for every kind ({@link LocalModels}).
 */
final class PodCertificateRequestRules implements ObjectRules {
    static final String GROUP = "certificates.k8s.io";
    static final String RESOURCE = "podcertificaterequests";
    static final String KIND = "PodCertificateRequest.certificates.k8s.io";
    static final int DEFAULT_MAX_EXPIRATION_SECONDS = 86400;
    private static final GoJsonTypes TYPES = new GoJsonTypes("PodCertificateRequest", "v1beta1");
    private static final String SPEC = "PodCertificateRequestSpec";
    private static final String STATUS = "PodCertificateRequestStatus";
    /** The v1beta1 fields, in the Go type's order (which the internal spec's JSON keeps). */
    private static final List<String> SPEC_FIELDS = List.of("signerName", "podName", "podUID",
            "serviceAccountName", "serviceAccountUID", "nodeName", "nodeUID", "maxExpirationSeconds", "pkixPublicKey",
            "proofOfPossession", "unverifiedUserAnnotations");
    private static final List<String> STATUS_TIMES = List.of("notBefore", "beginRefreshAt", "notAfter");

    private final Clock clock;
    private final Authorization authorization;

    PodCertificateRequestRules(Clock clock, Authorization authorization) {
        this.clock = clock;
        this.authorization = authorization;
    }

    @Override
    public void create(ObjectNode request, String namespace) {
        ObjectNode spec = decodedSpec(request);
        ObjectMetaRules.generateName(Json.object(request, "metadata"));
        // Users cannot create issued (or denied) requests.
        request.putObject("status");
        List<FieldError> errors = PodCertificateRequestSpecCheck.problems(request, bytes(spec, "pkixPublicKey"),
                bytes(spec, "proofOfPossession"));
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, request.path("metadata").path("name").asText(""), errors);
        }
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part, EmulatorConfig.User caller) {
        String name = stored.path("metadata").path("name").asText("");
        if (part == ObjectStore.Part.STATUS) {
            updateStatus(stored, updated, caller, name);
            return;
        }
        ObjectNode spec = decodedSpec(updated);
        List<FieldError> errors = new ArrayList<>(ObjectMetaRules.labelsAndAnnotations(updated.path("metadata")));
        if (!comparableSpec(spec).equals(comparableSpec(stored.path("spec")))) {
            errors.add(FieldError.invalid("spec", internalSpecJson(spec), "field is immutable"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
    }

    private void updateStatus(ObjectNode stored, ObjectNode updated, EmulatorConfig.User caller, String name) {
        // metav1.ResetObjectMetaForStatus: /status writes no metadata.
        ObjectNode metadata = Json.object(updated, "metadata");
        for (String field : List.of("labels", "annotations", "finalizers", "ownerReferences")) {
            JsonNode old = stored.path("metadata").get(field);
            if (old == null || old.isNull()) {
                metadata.remove(field);
            } else {
                metadata.set(field, old.deepCopy());
            }
        }
        TYPES.structure(updated.get("status"), false, "PodCertificateRequest", "status",
                "v1beta1.PodCertificateRequestStatus");
        ObjectNode status = Json.object(updated, "status");
        decodeStatus(status);
        List<FieldError> errors = PodCertificateRequestStatusCheck.problems(stored, updated, clock.instant(), TYPES);
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
        boolean changed = !PodCertificateRequestStatusCheck.comparable(stored.path("status"), TYPES)
                .equals(PodCertificateRequestStatusCheck.comparable(status, TYPES));
        String signerName = stored.path("spec").path("signerName").asText("");
        if (changed && !Admission.authorizedForSigner(authorization, caller, "sign", signerName)) {
            throw ApiException.invalidFields(KIND, name, List.of(FieldError.forbidden("spec.signerName", "User "
                    + FieldError.quote(caller.username()) + " is not permitted to \"sign\" for signer "
                    + FieldError.quote(signerName))));
        }
        writeTimes(status);
    }

    /** The spec decoded as the v1beta1 type reads it: type errors are 400, unknown fields dropped, defaults set. */
    private static ObjectNode decodedSpec(ObjectNode request) {
        TYPES.structure(request.get("spec"), false, "PodCertificateRequest", "spec",
                "v1beta1.PodCertificateRequestSpec");
        ObjectNode spec = Json.object(request, "spec");
        for (String field : List.of("signerName", "podName", "serviceAccountName")) {
            TYPES.string(spec.get(field), SPEC, "spec." + field, "string");
        }
        for (String field : List.of("podUID", "serviceAccountUID", "nodeUID")) {
            TYPES.string(spec.get(field), SPEC, "spec." + field, "types.UID");
        }
        TYPES.string(spec.get("nodeName"), SPEC, "spec.nodeName", "types.NodeName");
        TYPES.int32(spec.get("maxExpirationSeconds"), SPEC, "spec.maxExpirationSeconds");
        bytes(spec, "pkixPublicKey");
        bytes(spec, "proofOfPossession");
        TYPES.stringMap(spec.get("unverifiedUserAnnotations"), SPEC, "spec.unverifiedUserAnnotations");
        if (!spec.hasNonNull("maxExpirationSeconds")) {
            spec.put("maxExpirationSeconds", DEFAULT_MAX_EXPIRATION_SECONDS);
        }
        return spec;
    }

    private static void decodeStatus(ObjectNode status) {
        TYPES.string(status.get("certificateChain"), STATUS, "status.certificateChain", "string");
        STATUS_TIMES.forEach(field -> TYPES.time(status.get(field)));
        JsonNode conditions = status.path("conditions");
        TYPES.structure(conditions, true, STATUS, "status.conditions", "[]v1.Condition");
        for (JsonNode condition : conditions) {
            TYPES.structure(condition, false, STATUS, "status.conditions", "v1.Condition");
            for (String field : List.of("type", "reason", "message")) {
                TYPES.string(condition.get(field), "Condition", "status.conditions." + field, "string");
            }
            TYPES.string(condition.get("status"), "Condition", "status.conditions.status", "v1.ConditionStatus");
            TYPES.int64(condition.get("observedGeneration"), "Condition", "status.conditions.observedGeneration");
            TYPES.time(condition.get("lastTransitionTime"));
        }
    }

    /** {@code metav1.Time} encodes as RFC 3339 in UTC, to the second. */
    private static void writeTimes(ObjectNode status) {
        for (String field : STATUS_TIMES) {
            Instant time = TYPES.time(status.get(field));
            if (time != null) {
                status.put(field, time.truncatedTo(ChronoUnit.SECONDS).toString());
            } else {
                status.remove(field);
            }
        }
        for (JsonNode condition : status.path("conditions")) {
            Instant time = TYPES.time(condition.get("lastTransitionTime"));
            if (time != null && condition instanceof ObjectNode c) {
                c.put("lastTransitionTime", time.truncatedTo(ChronoUnit.SECONDS).toString());
            }
        }
    }

    private static byte[] bytes(JsonNode spec, String field) {
        return TYPES.bytes(spec.get(field), SPEC, "spec." + field);
    }

    /** The spec as {@code apiequality.Semantic.DeepEqual} compares it: empty and absent bytes and maps alike. */
    private static List<Object> comparableSpec(JsonNode spec) {
        List<Object> values = new ArrayList<>();
        for (String field : SPEC_FIELDS) {
            JsonNode value = spec.get(field);
            if (field.equals("pkixPublicKey") || field.equals("proofOfPossession")) {
                byte[] bytes = bytes(spec, field);
                values.add(Arrays.toString(bytes == null ? new byte[0] : bytes));
            } else if (field.equals("unverifiedUserAnnotations")) {
                values.add(annotations(value));
            } else {
                values.add(value == null || value.isNull() ? "" : value.asText());
            }
        }
        return values;
    }

    private static Map<String, String> annotations(JsonNode value) {
        Map<String, String> map = new TreeMap<>();
        if (value != null && value.isObject()) {
            value.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }

    /**
     * The new spec as the immutability error prints it: Go's JSON of the internal type, which has no
     * JSON tags (Go field names) and escapes HTML characters.
     */
    private static String internalSpecJson(JsonNode spec) {
        ObjectNode internal = Json.MAPPER.createObjectNode();
        for (String field : SPEC_FIELDS) {
            JsonNode value = spec.get(field);
            String goName = field.equals("pkixPublicKey") ? "PKIXPublicKey"
                    : Character.toUpperCase(field.charAt(0)) + field.substring(1);
            if (field.equals("unverifiedUserAnnotations")) {
                if (value == null || !value.isObject()) {
                    internal.putNull(goName);
                } else {
                    annotations(value).forEach(internal.putObject(goName)::put);
                }
            } else if (field.equals("pkixPublicKey") || field.equals("proofOfPossession")) {
                byte[] bytes = bytes(spec, field);
                internal.put(goName, bytes == null ? null : java.util.Base64.getEncoder().encodeToString(bytes));
            } else if (field.equals("maxExpirationSeconds")) {
                internal.set(goName, value == null ? Json.MAPPER.nullNode() : value);
            } else {
                internal.put(goName, value == null || value.isNull() ? "" : value.asText());
            }
        }
        return Json.write(internal).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }
}
