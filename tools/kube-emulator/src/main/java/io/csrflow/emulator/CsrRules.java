package io.csrflow.emulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The API server's rules for {@code certificates.k8s.io/v1} CertificateSigningRequests: create
 * validation, and what each of update, {@code /approval} and {@code /status} may change. Each
 * method takes the stored object and the request body and returns the object to store.
 */
final class CsrRules {
    static final String KIND = "CertificateSigningRequest.certificates.k8s.io";
    static final String RESOURCE = "certificatesigningrequests.certificates.k8s.io";
    static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

    private static final Set<String> KNOWN_USAGES = Set.of("signing", "digital signature", "content commitment",
            "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
            "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime",
            "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
            "netscape sgc");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern SIGNER_PATH = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Set<String> APPROVAL_TYPES = Set.of("Approved", "Denied");

    private final Clock clock;

    CsrRules(Clock clock) {
        this.clock = clock;
    }

    /** Validates a new CSR and stamps the requester from the caller's credentials. */
    ObjectNode create(ObjectNode body, EmulatorConfig.User caller) {
        ObjectNode spec = Json.object(body, "spec");
        String name = body.path("metadata").path("name").asText(body.path("metadata").path("generateName").asText(""));
        List<String> errors = new ArrayList<>();
        validateRequest(spec, errors);
        validateSignerName(Json.text(spec, "signerName"), errors);
        validateUsages(spec.get("usages"), errors);
        JsonNode expiration = spec.get("expirationSeconds");
        if (expiration != null && !expiration.isNull() && expiration.asLong() < 600) {
            errors.add("spec.expirationSeconds: Invalid value: " + expiration.asLong()
                    + ": may not specify a duration less than 600 seconds (10 minutes)");
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(KIND, name, errors);
        }
        // The requester is whoever authenticated, never what the body claims.
        spec.put("username", caller.username());
        spec.remove("uid");
        if (!caller.uid().isEmpty()) { // x509 users have none; the API server then omits the field
            spec.put("uid", caller.uid());
        }
        ArrayNode groups = spec.putArray("groups");
        caller.groups().forEach(groups::add);
        spec.remove("extra");
        if (!caller.extra().isEmpty()) {
            spec.set("extra", Json.MAPPER.valueToTree(caller.extra()));
        }
        body.remove("status");
        return body;
    }

    /** PUT on the object: metadata may change; spec and status are kept as stored. */
    ObjectNode update(ObjectNode stored, ObjectNode body) {
        ObjectNode updated = stored.deepCopy();
        ObjectNode metadata = Json.object(updated, "metadata");
        JsonNode newMeta = body.path("metadata");
        for (String field : List.of("labels", "annotations", "finalizers")) {
            if (newMeta.has(field)) {
                metadata.set(field, newMeta.get(field));
            } else {
                metadata.remove(field);
            }
        }
        return updated;
    }

    /** PUT on {@code /approval}: only Approved and Denied conditions change, and none goes away. */
    ObjectNode approve(ObjectNode stored, List<ObjectNode> requested) {
        String name = stored.path("metadata").path("name").asText();
        List<ObjectNode> oldApproval = conditions(stored, true);
        List<ObjectNode> newApproval = new ArrayList<>();
        for (ObjectNode condition : requested) {
            if (APPROVAL_TYPES.contains(Json.text(condition, "type"))) {
                newApproval.add(condition.deepCopy());
            }
        }
        List<String> errors = new ArrayList<>();
        validateConditions(newApproval, errors);
        for (ObjectNode old : oldApproval) {
            String type = Json.text(old, "type");
            if (newApproval.stream().noneMatch(c -> type.equals(Json.text(c, "type")))) {
                errors.add("status.conditions: Forbidden: updates may not remove a condition of type \"" + type + "\"");
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(KIND, name, errors);
        }
        return withConditions(stored, replaceConditions(stored, true, newApproval));
    }

    /**
     * PUT on {@code /status}: the certificate is set once and must be PEM certificates; conditions
     * other than Approved and Denied are taken from the body.
     */
    ObjectNode updateStatus(ObjectNode stored, ObjectNode body) {
        String name = stored.path("metadata").path("name").asText();
        JsonNode newStatus = body.path("status");
        String oldCertificate = Json.text(stored.path("status"), "certificate");
        String newCertificate = Json.text(newStatus, "certificate");
        List<String> errors = new ArrayList<>();
        if (oldCertificate != null && !oldCertificate.isEmpty() && !oldCertificate.equals(newCertificate)) {
            errors.add("status.certificate: Forbidden: updates may not modify existing certificate content");
        } else if (newCertificate != null && !newCertificate.isEmpty() && oldCertificate == null) {
            byte[] pem = decode(newCertificate, "status.certificate", errors);
            if (pem != null) {
                String reason = CsrRequestCheck.certificateProblem(pem);
                if (reason != null) {
                    errors.add("status.certificate: Invalid value: \"<certificate data>\": " + reason);
                }
            }
        }
        List<ObjectNode> others = new ArrayList<>();
        newStatus.path("conditions").forEach(c -> {
            if (c instanceof ObjectNode o && !APPROVAL_TYPES.contains(Json.text(o, "type"))) {
                others.add(o.deepCopy());
            }
        });
        validateConditions(others, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(KIND, name, errors);
        }
        ObjectNode updated = withConditions(stored, replaceConditions(stored, false, others));
        if (newCertificate != null && !newCertificate.isEmpty()) {
            Json.object(updated, "status").put("certificate", newCertificate);
        }
        return updated;
    }

    private void validateRequest(ObjectNode spec, List<String> errors) {
        String request = Json.text(spec, "request");
        if (request == null || request.isEmpty()) {
            errors.add("spec.request: Required value");
            return;
        }
        byte[] pem = decode(request, "spec.request", errors);
        if (pem != null) {
            String problem = CsrRequestCheck.requestProblem(pem);
            if (problem != null) {
                errors.add("spec.request: Invalid value: \"<request data>\": " + problem);
            }
        }
    }

    /** JSON carries {@code []byte} fields as base64. */
    private static byte[] decode(String base64, String field, List<String> errors) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            errors.add(field + ": Invalid value: not base64-encoded bytes: " + e.getMessage());
            return null;
        }
    }

    private static void validateSignerName(String signerName, List<String> errors) {
        if (signerName == null || signerName.isEmpty()) {
            errors.add("spec.signerName: Required value");
            return;
        }
        if (LEGACY_UNKNOWN.equals(signerName)) {
            errors.add("spec.signerName: Invalid value: \"" + signerName
                    + "\": the legacy signerName is not allowed via this API version");
            return;
        }
        int slash = signerName.indexOf('/');
        String domain = slash < 0 ? signerName : signerName.substring(0, slash);
        String path = slash < 0 ? "" : signerName.substring(slash + 1);
        if (slash < 0 || domain.length() > 253 || !DNS_SUBDOMAIN.matcher(domain).matches() || path.isEmpty()
                || path.length() > 63 + 253 || !SIGNER_PATH.matcher(path.replace("/", "-")).matches()) {
            errors.add("spec.signerName: Invalid value: \"" + signerName
                    + "\": must be a fully qualified domain and path of the form 'example.com/signer-name'");
        }
    }

    private static void validateUsages(JsonNode usages, List<String> errors) {
        if (usages == null || !usages.isArray() || usages.isEmpty()) {
            errors.add("spec.usages: Required value");
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < usages.size(); i++) {
            String usage = usages.get(i).asText();
            if (!KNOWN_USAGES.contains(usage)) {
                errors.add("spec.usages[" + i + "]: Unsupported value: \"" + usage + "\"");
            } else if (!seen.add(usage)) {
                errors.add("spec.usages[" + i + "]: Duplicate value: \"" + usage + "\"");
            }
        }
    }

    private static void validateConditions(List<ObjectNode> conditions, List<String> errors) {
        Set<String> types = new HashSet<>();
        for (int i = 0; i < conditions.size(); i++) {
            ObjectNode c = conditions.get(i);
            String type = Json.text(c, "type");
            String status = Json.text(c, "status");
            if (type == null || type.isEmpty()) {
                errors.add("status.conditions[" + i + "].type: Required value");
                continue;
            }
            if (!types.add(type)) {
                errors.add("status.conditions[" + i + "].type: Duplicate value: \"" + type + "\"");
            }
            if (APPROVAL_TYPES.contains(type) || "Failed".equals(type)) {
                if (!"True".equals(status)) {
                    errors.add("status.conditions[" + i + "].status: Unsupported value: \"" + status
                            + "\": supported values: \"True\"");
                }
            } else if (!Set.of("True", "False", "Unknown").contains(String.valueOf(status))) {
                errors.add("status.conditions[" + i + "].status: Unsupported value: \"" + status
                        + "\": supported values: \"False\", \"True\", \"Unknown\"");
            }
        }
        if (types.contains("Approved") && types.contains("Denied")) {
            errors.add("status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are "
                    + "mutually exclusive");
        }
    }

    /**
     * The stored conditions of the other kind, then {@code incoming} in place of the stored ones of
     * this kind (approval types or not), each stamped against the stored condition of its type.
     */
    private List<ObjectNode> replaceConditions(ObjectNode stored, boolean approvalTypes, List<ObjectNode> incoming) {
        List<ObjectNode> previous = conditions(stored, approvalTypes);
        List<ObjectNode> merged = new ArrayList<>(conditions(stored, !approvalTypes));
        for (ObjectNode condition : incoming) {
            merged.add(stamp(condition, previous.stream()
                    .filter(o -> Objects.equals(Json.text(o, "type"), Json.text(condition, "type")))
                    .findFirst().orElse(null)));
        }
        return merged;
    }

    /** Times are the server's, as the API server's strategy sets them when the client leaves them out. */
    private ObjectNode stamp(ObjectNode condition, ObjectNode previous) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        if (Json.text(condition, "lastUpdateTime") == null) {
            condition.put("lastUpdateTime", now);
        }
        if (Json.text(condition, "lastTransitionTime") == null) {
            boolean unchanged = previous != null
                    && Objects.equals(Json.text(previous, "status"), Json.text(condition, "status"))
                    && Json.text(previous, "lastTransitionTime") != null;
            condition.put("lastTransitionTime", unchanged ? Json.text(previous, "lastTransitionTime") : now);
        }
        return condition;
    }

    private static List<ObjectNode> conditions(ObjectNode csr, boolean approvalTypes) {
        List<ObjectNode> result = new ArrayList<>();
        csr.path("status").path("conditions").forEach(c -> {
            if (c instanceof ObjectNode o && APPROVAL_TYPES.contains(Json.text(o, "type")) == approvalTypes) {
                result.add(o.deepCopy());
            }
        });
        return result;
    }

    private static ObjectNode withConditions(ObjectNode stored, List<ObjectNode> conditions) {
        ObjectNode updated = stored.deepCopy();
        ArrayNode array = Json.object(updated, "status").putArray("conditions");
        conditions.forEach(array::add);
        return updated;
    }
}
