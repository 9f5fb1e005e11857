package io.csrflow.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code ValidatePodCertificateRequestCreate} (kube's {@code pkg/apis/certificates/validation}), in its
 * order and words: the metadata (a DNS-subdomain name), the signer name, the user annotations
 * (domain-prefixed keys), the pod, service account and node names (DNS subdomains) and their uids
 * (not empty, at most 128 bytes), {@code maxExpirationSeconds} within [3600, 86400] for
 * {@code kubernetes.io} signers and [3600, 7862400] for others, then the size of the key and of the
 * proof, and the key and proof themselves ({@link ProofOfPossessionCheck}).
 */
final class PodCertificateRequestSpecCheck {
    static final int MIN_MAX_EXPIRATION_SECONDS = 60 * 60;
    static final int MAX_MAX_EXPIRATION_SECONDS = 91 * 24 * 60 * 60;
    static final int KUBERNETES_MAX_MAX_EXPIRATION_SECONDS = 24 * 60 * 60;
    static final int MAX_PKIX_PUBLIC_KEY_SIZE = 10 * 1024;
    static final int MAX_PROOF_OF_POSSESSION_SIZE = 10 * 1024;
    private static final int MAX_UID_LENGTH = 128;
    private static final int TOTAL_ANNOTATION_SIZE = 256 * 1024;
    private static final String ANNOTATIONS_FIELD = "spec.unverifiedUserAnnotations";

    private PodCertificateRequestSpecCheck() {
    }

    /**
     * The errors of a request about to be created; {@code pkix} and {@code proof} are the decoded
     * bytes of {@code spec.pkixPublicKey} and {@code spec.proofOfPossession}.
     */
    static List<FieldError> problems(JsonNode request, byte[] pkix, byte[] proof) {
        List<FieldError> errors = new ArrayList<>(metadataProblems(request.path("metadata")));
        JsonNode spec = request.path("spec");
        String signerName = spec.path("signerName").asText("");
        errors.addAll(CsrRules.signerNameProblems(signerName));
        JsonNode annotations = spec.get("unverifiedUserAnnotations");
        if (annotations != null && annotations.isObject()) {
            errors.addAll(userAnnotationProblems(annotations));
        }
        nameProblems(errors, "spec.podName", spec.path("podName").asText(""));
        uidProblems(errors, "spec.podUID", spec.path("podUID").asText(""));
        nameProblems(errors, "spec.serviceAccountName", spec.path("serviceAccountName").asText(""));
        uidProblems(errors, "spec.serviceAccountUID", spec.path("serviceAccountUID").asText(""));
        nameProblems(errors, "spec.nodeName", spec.path("nodeName").asText(""));
        uidProblems(errors, "spec.nodeUID", spec.path("nodeUID").asText(""));
        JsonNode maxExpiration = spec.get("maxExpirationSeconds");
        if (maxExpiration == null || maxExpiration.isNull()) {
            // Unreachable through the API, which defaults it; kept as the validation has it.
            errors.add(FieldError.required("spec.maxExpirationSeconds", "must be set"));
            return errors;
        }
        int upper = isKubernetesSigner(signerName) ? KUBERNETES_MAX_MAX_EXPIRATION_SECONDS
                : MAX_MAX_EXPIRATION_SECONDS;
        int seconds = maxExpiration.intValue();
        if (seconds < MIN_MAX_EXPIRATION_SECONDS || seconds > upper) {
            errors.add(FieldError.invalid("spec.maxExpirationSeconds", String.valueOf(seconds),
                    "must be in the range [" + MIN_MAX_EXPIRATION_SECONDS + ", " + upper + "]"));
        }
        if (pkix != null && pkix.length > MAX_PKIX_PUBLIC_KEY_SIZE) {
            errors.add(FieldError.tooLong(ProofOfPossessionCheck.PKIX_FIELD, MAX_PKIX_PUBLIC_KEY_SIZE));
            return errors;
        }
        if (proof != null && proof.length > MAX_PROOF_OF_POSSESSION_SIZE) {
            errors.add(FieldError.tooLong(ProofOfPossessionCheck.PROOF_FIELD, MAX_PROOF_OF_POSSESSION_SIZE));
            return errors;
        }
        FieldError keyProblem = ProofOfPossessionCheck.problem(pkix, proof, spec.path("podUID").asText(""));
        if (keyProblem != null) {
            errors.add(keyProblem);
        }
        return errors;
    }

    /** {@code IsKubernetesSignerName}: the domain is {@code kubernetes.io} or under it. */
    static boolean isKubernetesSigner(String signerName) {
        String domain = signerName.split("/", -1)[0];
        return domain.equals("kubernetes.io") || domain.endsWith(".kubernetes.io");
    }

    /** {@code ValidateObjectMeta} for a namespaced kind whose names are DNS subdomains. */
    private static List<FieldError> metadataProblems(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        String generateName = metadata.path("generateName").asText("");
        if (!generateName.isEmpty()) {
            for (String message : ObjectNames.dnsSubdomainProblems(maskTrailingDash(generateName))) {
                errors.add(FieldError.invalid("metadata.generateName", FieldError.quote(generateName), message));
            }
        }
        String name = metadata.path("name").asText("");
        if (name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else {
            for (String message : ObjectNames.dnsSubdomainProblems(name)) {
                errors.add(FieldError.invalid("metadata.name", FieldError.quote(name), message));
            }
        }
        errors.addAll(ObjectMetaRules.labelsAndAnnotations(metadata));
        return errors;
    }

    /** {@code maskTrailingDash}, as Go writes it: a generated suffix will follow the dash. */
    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 2) + "a" : name;
    }

    /** {@code ValidatePodName}, {@code ValidateServiceAccountName}, {@code ValidateNodeName}: DNS subdomains. */
    private static void nameProblems(List<FieldError> errors, String field, String value) {
        for (String message : ObjectNames.dnsSubdomainProblems(value)) {
            errors.add(FieldError.invalid(field, FieldError.quote(value), message));
        }
    }

    private static void uidProblems(List<FieldError> errors, String field, String uid) {
        if (uid.isEmpty()) {
            errors.add(FieldError.invalid(field, FieldError.json(uid), "must not be empty"));
        }
        if (uid.getBytes(StandardCharsets.UTF_8).length > MAX_UID_LENGTH) {
            errors.add(FieldError.tooLong(field, MAX_UID_LENGTH));
        }
    }

    /**
     * {@code ValidateUserAnnotations}: each key, lower-cased, a label key with a domain prefix
     * ({@code IsDomainPrefixedKey}); keys and values together at most 256 KiB, as annotations.
     */
    private static List<FieldError> userAnnotationProblems(JsonNode annotations) {
        List<FieldError> errors = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>();
        annotations.fieldNames().forEachRemaining(keys::add);
        long size = 0;
        for (String key : keys) {
            size += key.getBytes(StandardCharsets.UTF_8).length
                    + annotations.get(key).asText("").getBytes(StandardCharsets.UTF_8).length;
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.isEmpty()) {
                errors.add(FieldError.required(ANNOTATIONS_FIELD, ""));
                continue;
            }
            List<String> problems = ObjectMetaRules.labelKeyProblems(lower);
            problems.forEach(p -> errors.add(FieldError.invalid(ANNOTATIONS_FIELD, FieldError.quote(lower), p)));
            if (problems.isEmpty() && lower.split("/", -1).length != 2) {
                errors.add(FieldError.invalid(ANNOTATIONS_FIELD, FieldError.quote(lower),
                        "must be a domain-prefixed key (such as \"acme.io/foo\")"));
            }
        }
        if (size > TOTAL_ANNOTATION_SIZE) {
            errors.add(FieldError.tooLong(ANNOTATIONS_FIELD, TOTAL_ANNOTATION_SIZE));
        }
        return errors;
    }
}
