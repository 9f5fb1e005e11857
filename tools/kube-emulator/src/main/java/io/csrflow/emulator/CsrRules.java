package io.csrflow.emulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The API server's rules for {@code certificates.k8s.io/v1} CertificateSigningRequests, after
 * {@code pkg/registry/certificates/certificates/strategy.go} and
 * {@code pkg/apis/certificates/validation/validation.go}: what create, update, {@code /approval}
 * and {@code /status} take from the body, what they keep from the stored object, and what they
 * refuse, in the API server's words. Each method takes the stored object and the request body and
 * returns the object to store, or throws the {@link ApiException} the API server would answer.
 */
final class CsrRules {
    static final String KIND = "CertificateSigningRequest.certificates.k8s.io";
    static final String RESOURCE = "certificatesigningrequests.certificates.k8s.io";
    static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

    /** {@code allValidUsages.List()}: sorted, as the NotSupported message lists them. */
    static final List<String> KNOWN_USAGES = List.of("any", "cert sign", "client auth", "code signing",
            "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature",
            "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
            "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing",
            "timestamping");
    private static final String APPROVED = "Approved";
    private static final String DENIED = "Denied";
    private static final String FAILED = "Failed";
    private static final Set<String> TRUE_ONLY = Set.of(APPROVED, DENIED, FAILED);
    private static final List<String> ALL_STATUSES = List.of("False", "True", "Unknown");
    private static final String DNS_LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS_SUBDOMAIN_FORMAT = DNS_LABEL_FORMAT + "(\\." + DNS_LABEL_FORMAT + ")*";
    private static final Pattern DNS_LABEL = Pattern.compile(DNS_LABEL_FORMAT);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(DNS_SUBDOMAIN_FORMAT);
    private static final int MAX_DOMAIN = 253;
    /** A signer path holds a namespace (a DNS label) and a resource name (a DNS subdomain): 63 + 1 + 253. */
    private static final int MAX_SIGNER_NAME = MAX_DOMAIN + 1 + 63 + 1 + 253;
    private static final GoJsonTypes TYPES = new GoJsonTypes("CertificateSigningRequest", "v1");
    private static final String SPEC = "CertificateSigningRequestSpec";
    private static final String STATUS = "CertificateSigningRequestStatus";

    /**
     * The validation options of {@code getValidationOptions}: what a subresource may set, and what
     * is tolerated because the stored object already has it.
     */
    private record Options(boolean settingApprovalConditions, boolean settingCertificate, boolean bothApprovedAndDenied,
                           boolean legacySignerName, boolean duplicateConditionTypes, boolean emptyConditionType,
                           boolean arbitraryCertificate, boolean unknownUsages, boolean duplicateUsages) {
        static final Options STRICT = new Options(false, false, false, false, false, false, false, false, false);

        static Options forUpdate(ObjectNode updated, ObjectNode stored, boolean approval, boolean status) {
            List<String> types = new ArrayList<>();
            conditions(stored).forEach(c -> types.add(text(c, "type")));
            List<String> usages = new ArrayList<>();
            stored.path("spec").path("usages").forEach(u -> usages.add(u.asText()));
            byte[] oldCertificate = certificate(stored);
            return new Options(approval, status,
                    types.contains(APPROVED) && types.contains(DENIED),
                    LEGACY_UNKNOWN.equals(text(stored.path("spec"), "signerName")),
                    new HashSet<>(types).size() < types.size(),
                    types.contains(""),
                    Arrays.equals(certificate(updated), oldCertificate) || oldCertificate != null
                            && oldCertificate.length > 0 && CsrRequestCheck.certificateProblem(oldCertificate) != null,
                    usages.stream().anyMatch(u -> !KNOWN_USAGES.contains(u)),
                    new HashSet<>(usages).size() < usages.size());
        }
    }

    private final Clock clock;

    CsrRules(Clock clock) {
        this.clock = clock;
    }

    /**
     * Create: the body decoded, a name generated from {@code generateName}, the namespace dropped
     * (CSRs are cluster-scoped), requester and status reset ({@code PrepareForCreate}), then the
     * CSR's own validation, then the name as a URL path segment.
     */
    ObjectNode create(ObjectNode body, EmulatorConfig.User caller) {
        decode(body);
        ObjectNode metadata = Json.object(body, "metadata");
        metadata.remove("namespace");
        ObjectMetaRules.generateName(metadata);
        ObjectNode spec = Json.object(body, "spec");
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
        // Users cannot create pre-approved (or pre-issued) requests.
        body.putObject("status");
        String name = Objects.requireNonNullElse(text(metadata, "name"), "");
        List<FieldError> errors = validate(body, Options.STRICT);
        if (errors.isEmpty()) {
            errors = ObjectMetaRules.pathSegmentProblems(metadata);
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
        return body;
    }

    /** PUT on the object: metadata from the body; spec and status stay as stored. */
    ObjectNode update(ObjectNode stored, ObjectNode body) {
        decode(body);
        ObjectNode updated = withMetadataOf(stored, body);
        check(updated, stored, Options.forUpdate(updated, stored, false, false));
        return updated;
    }

    /**
     * PUT on {@code /approval}: the conditions are the body's, with times the client left out
     * stamped; everything else stays as stored. Approved and Denied may be added or changed here;
     * no Approved, Denied or Failed condition may go away.
     */
    ObjectNode approve(ObjectNode stored, List<ObjectNode> requested) {
        ObjectNode updated = stored.deepCopy();
        List<ObjectNode> conditions = new ArrayList<>();
        requested.forEach(c -> conditions.add(c.deepCopy()));
        setConditions(updated, stamped(conditions, conditions(stored)));
        check(updated, stored, Options.forUpdate(updated, stored, true, false));
        return updated;
    }

    /**
     * PUT on {@code /status}: conditions and certificate from the body, except that the stored
     * Approved and Denied conditions are kept where the body has as many of them; adding or removing
     * one is refused, as is removing a Failed condition. The certificate may be set once, to PEM
     * CERTIFICATE blocks, and never changed.
     */
    ObjectNode updateStatus(ObjectNode stored, ObjectNode body) {
        decode(body);
        ObjectNode updated = stored.deepCopy();
        List<ObjectNode> conditions = conditions(body);
        List<ObjectNode> old = conditions(stored);
        for (String type : List.of(APPROVED, DENIED)) {
            List<Integer> oldIndices = indicesOf(old, type);
            List<Integer> newIndices = indicesOf(conditions, type);
            if (oldIndices.size() == newIndices.size()) {
                for (int i = 0; i < oldIndices.size(); i++) {
                    conditions.set(newIndices.get(i), old.get(oldIndices.get(i)).deepCopy());
                }
            }
        }
        setConditions(updated, stamped(conditions, old));
        ObjectNode status = Json.object(updated, "status");
        String certificate = text(body.path("status"), "certificate");
        if (certificate == null || certificate.isEmpty()) {
            status.remove("certificate");
        } else {
            status.put("certificate", certificate);
        }
        check(updated, stored, Options.forUpdate(updated, stored, false, true));
        return updated;
    }

    /** What decoding the body into the v1 types refuses (400), checked before any rule. */
    private static void decode(ObjectNode body) {
        JsonNode spec = body.path("spec");
        TYPES.bytes(spec.get("request"), SPEC, "spec.request");
        TYPES.string(spec.get("signerName"), SPEC, "spec.signerName", "string");
        TYPES.stringList(spec.get("usages"), SPEC, "spec.usages", "v1.KeyUsage");
        TYPES.int32(spec.get("expirationSeconds"), SPEC, "spec.expirationSeconds");
        TYPES.bytes(body.path("status").get("certificate"), STATUS, "status.certificate");
    }

    /** {@code validateCertificateSigningRequestUpdate} on the object about to be stored. */
    private static void check(ObjectNode updated, ObjectNode stored, Options options) {
        List<FieldError> errors = validate(updated, options);
        List<ObjectNode> oldConditions = conditions(stored);
        List<ObjectNode> newConditions = conditions(updated);
        for (String type : List.of(APPROVED, DENIED, FAILED)) {
            if (indicesOf(newConditions, type).size() < indicesOf(oldConditions, type).size()) {
                errors.add(FieldError.forbidden("status.conditions", "updates may not remove a condition of type "
                        + FieldError.quote(type)));
            }
        }
        if (!options.settingApprovalConditions()) {
            for (String type : List.of(APPROVED, DENIED)) {
                // Where the counts match, the strategy has already put the stored conditions back.
                if (indicesOf(newConditions, type).size() > indicesOf(oldConditions, type).size()) {
                    errors.add(FieldError.forbidden("status.conditions", "updates may not add a condition of type "
                            + FieldError.quote(type)));
                }
            }
        }
        byte[] oldCertificate = certificate(stored);
        if (!Arrays.equals(certificate(updated), oldCertificate)) {
            if (!options.settingCertificate()) {
                errors.add(FieldError.forbidden("status.certificate", "updates may not set certificate content"));
            } else if (oldCertificate != null && oldCertificate.length > 0) {
                errors.add(FieldError.forbidden("status.certificate",
                        "updates may not modify existing certificate content"));
            }
        }
        errors.addAll(ObjectMetaRules.labelsAndAnnotations(updated.path("metadata")));
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, Objects.requireNonNullElse(text(updated.path("metadata"), "name"),
                    ""), errors);
        }
    }

    /** {@code validateCertificateSigningRequest}. */
    private static List<FieldError> validate(ObjectNode csr, Options options) {
        List<FieldError> errors = new ArrayList<>(ObjectMetaRules.validate(csr.path("metadata")));
        JsonNode spec = csr.path("spec");
        byte[] request = TYPES.bytes(spec.get("request"), SPEC, "spec.request");
        String requestProblem = CsrRequestCheck.requestProblem(request);
        if (requestProblem != null) {
            errors.add(FieldError.invalid("spec.request", FieldError.bytes(request), requestProblem));
        }
        List<String> usages = new ArrayList<>();
        spec.path("usages").forEach(u -> usages.add(u.asText()));
        if (usages.isEmpty()) {
            errors.add(FieldError.required("spec.usages", ""));
        }
        if (!options.unknownUsages()) {
            for (int i = 0; i < usages.size(); i++) {
                if (!KNOWN_USAGES.contains(usages.get(i))) {
                    errors.add(FieldError.notSupported("spec.usages[" + i + "]", FieldError.json(usages.get(i)),
                            KNOWN_USAGES));
                }
            }
        }
        if (!options.duplicateUsages()) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < usages.size(); i++) {
                if (!seen.add(usages.get(i))) {
                    errors.add(FieldError.duplicate("spec.usages[" + i + "]", FieldError.json(usages.get(i))));
                }
            }
        }
        String signerName = Objects.requireNonNullElse(text(spec, "signerName"), "");
        if (!options.legacySignerName() && signerName.equals(LEGACY_UNKNOWN)) {
            errors.add(FieldError.invalid("spec.signerName", FieldError.quote(signerName),
                    "the legacy signerName is not allowed via this API version"));
        } else {
            errors.addAll(signerNameProblems(signerName));
        }
        Integer expiration = TYPES.int32(spec.get("expirationSeconds"), SPEC, "spec.expirationSeconds");
        if (expiration != null && expiration < 600) {
            errors.add(FieldError.invalid("spec.expirationSeconds", String.valueOf(expiration),
                    "may not specify a duration less than 600 seconds (10 minutes)"));
        }
        errors.addAll(conditionProblems(conditions(csr), options));
        if (!options.arbitraryCertificate()) {
            byte[] certificate = certificate(csr);
            String problem = certificate == null || certificate.length == 0 ? null
                    : CsrRequestCheck.certificateProblem(certificate);
            if (problem != null) {
                errors.add(FieldError.invalid("status.certificate", FieldError.quote("<certificate data>"), problem));
            }
        }
        return errors;
    }

    /**
     * {@code ValidateSignerName}: one slash; a domain of at most 253 characters made of DNS labels
     * (at most 63 each), at least two of them; a path of dot-separated DNS subdomains; at most 571
     * characters in all, enough for {@code <domain>/<namespace>.<name>}.
     */
    static List<FieldError> signerNameProblems(String signerName) {
        String field = "spec.signerName";
        List<FieldError> errors = new ArrayList<>();
        if (signerName.isEmpty()) {
            errors.add(FieldError.required(field, ""));
            return errors;
        }
        String[] segments = signerName.split("/", -1);
        if (segments.length != 2) {
            errors.add(FieldError.invalid(field, FieldError.quote(signerName),
                    "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
            return errors;
        }
        String domain = segments[0];
        if (domain.length() > MAX_DOMAIN) {
            errors.add(FieldError.tooLong(field, MAX_DOMAIN));
        }
        String[] domainLabels = domain.split("\\.", -1);
        for (String label : domainLabels) {
            List<String> problems = dnsLabelProblems(label);
            problems.forEach(p -> errors.add(FieldError.invalid(field, FieldError.quote(domain),
                    "validating label " + FieldError.quote(label) + ": " + p)));
            if (!problems.isEmpty()) {
                break;
            }
        }
        if (domainLabels.length < 2) {
            errors.add(FieldError.invalid(field, FieldError.quote(domain),
                    "should be a domain with at least two segments separated by dots"));
        }
        String path = segments[1];
        for (String label : path.split("\\.", -1)) {
            List<String> problems = dnsSubdomainProblems(label);
            problems.forEach(p -> errors.add(FieldError.invalid(field, FieldError.quote(path),
                    "validating label " + FieldError.quote(label) + ": " + p)));
            if (!problems.isEmpty()) {
                break;
            }
        }
        if (signerName.length() > MAX_SIGNER_NAME) {
            errors.add(FieldError.tooLong(field, MAX_SIGNER_NAME));
        }
        return errors;
    }

    /** {@code IsDNS1123Label} (util/validation, whose length message counts characters). */
    private static List<String> dnsLabelProblems(String label) {
        List<String> problems = new ArrayList<>();
        if (label.length() > 63) {
            problems.add("must be no more than 63 characters");
        }
        if (!DNS_LABEL.matcher(label).matches()) {
            problems.add(DNS_SUBDOMAIN.matcher(label).matches() ? "must not contain dots"
                    : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                    + "start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for "
                    + "validation is '" + DNS_LABEL_FORMAT + "')");
        }
        return problems;
    }

    /** {@code IsDNS1123Subdomain}. */
    private static List<String> dnsSubdomainProblems(String label) {
        List<String> problems = new ArrayList<>();
        if (label.length() > MAX_DOMAIN) {
            problems.add("must be no more than 253 characters");
        }
        if (!DNS_SUBDOMAIN.matcher(label).matches()) {
            problems.add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '" + DNS_SUBDOMAIN_FORMAT + "')");
        }
        return problems;
    }

    /** {@code validateConditions}. */
    private static List<FieldError> conditionProblems(List<ObjectNode> conditions, Options options) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean approved = false;
        boolean denied = false;
        for (int i = 0; i < conditions.size(); i++) {
            String at = "status.conditions[" + i + "]";
            String type = Objects.requireNonNullElse(text(conditions.get(i), "type"), "");
            String status = Objects.requireNonNullElse(text(conditions.get(i), "status"), "");
            if (!options.emptyConditionType() && type.isEmpty()) {
                errors.add(FieldError.required(at + ".type", ""));
            }
            List<String> allowed = TRUE_ONLY.contains(type) ? List.of("True") : ALL_STATUSES;
            if (status.isEmpty()) {
                errors.add(FieldError.required(at + ".status", ""));
            } else if (!allowed.contains(status)) {
                errors.add(FieldError.notSupported(at + ".status", FieldError.json(status), allowed));
            }
            if (!options.bothApprovedAndDenied()) {
                if (type.equals(APPROVED)) {
                    approved = true;
                    if (denied) {
                        errors.add(mutuallyExclusive(type));
                    }
                } else if (type.equals(DENIED)) {
                    denied = true;
                    if (approved) {
                        errors.add(mutuallyExclusive(type));
                    }
                }
            }
            if (!options.duplicateConditionTypes() && !seen.add(type)) {
                errors.add(FieldError.duplicate(at + ".type", FieldError.json(type)));
            }
        }
        return errors;
    }

    private static FieldError mutuallyExclusive(String type) {
        return FieldError.invalid("status.conditions", FieldError.json(type),
                "Approved and Denied conditions are mutually exclusive");
    }

    /**
     * {@code populateConditionTimestamps}: a missing lastUpdateTime is now; a missing
     * lastTransitionTime is the stored one of a condition with the same type and status, or now.
     */
    private List<ObjectNode> stamped(List<ObjectNode> conditions, List<ObjectNode> old) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        for (ObjectNode condition : conditions) {
            if (isEmpty(text(condition, "lastUpdateTime"))) {
                condition.put("lastUpdateTime", now);
            }
            if (isEmpty(text(condition, "lastTransitionTime"))) {
                String transition = old.stream()
                        .filter(o -> Objects.equals(text(o, "type"), text(condition, "type"))
                                && Objects.equals(text(o, "status"), text(condition, "status"))
                                && !isEmpty(text(o, "lastTransitionTime")))
                        .map(o -> text(o, "lastTransitionTime")).findFirst().orElse(now);
                condition.put("lastTransitionTime", transition);
            }
        }
        return conditions;
    }

    /** The stored object with the body's labels, annotations, finalizers and owner references. */
    private static ObjectNode withMetadataOf(ObjectNode stored, ObjectNode body) {
        ObjectNode updated = stored.deepCopy();
        ObjectNode metadata = Json.object(updated, "metadata");
        JsonNode newMeta = body.path("metadata");
        for (String field : List.of("labels", "annotations", "finalizers", "ownerReferences", "managedFields")) {
            if (newMeta.hasNonNull(field)) {
                metadata.set(field, newMeta.get(field));
            } else {
                metadata.remove(field);
            }
        }
        return updated;
    }

    private static List<ObjectNode> conditions(JsonNode csr) {
        List<ObjectNode> result = new ArrayList<>();
        csr.path("status").path("conditions").forEach(c -> {
            if (c instanceof ObjectNode o) {
                result.add(o.deepCopy());
            }
        });
        return result;
    }

    private static List<Integer> indicesOf(List<ObjectNode> conditions, String type) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            if (type.equals(text(conditions.get(i), "type"))) {
                indices.add(i);
            }
        }
        return indices;
    }

    /** The conditions as the API server serializes them: absent when there are none. */
    private static void setConditions(ObjectNode csr, List<ObjectNode> conditions) {
        ObjectNode status = Json.object(csr, "status");
        if (conditions.isEmpty()) {
            status.remove("conditions");
        } else {
            ArrayNode array = status.putArray("conditions");
            conditions.forEach(array::add);
        }
    }

    private static byte[] certificate(JsonNode csr) {
        return TYPES.bytes(csr.path("status").get("certificate"), STATUS, "status.certificate");
    }

    private static String text(JsonNode node, String field) {
        return Json.text(node, field);
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
