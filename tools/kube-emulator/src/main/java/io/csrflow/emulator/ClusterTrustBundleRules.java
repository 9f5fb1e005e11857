package io.csrflow.emulator;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code certificates.k8s.io/v1beta1} ClusterTrustBundles as kube's {@code ValidateClusterTrustBundle}
 * and {@code ValidateClusterTrustBundleUpdate} check them: {@code spec.signerName} optional, a valid
 * signer name when set, and then the name must start with the signer name with {@code /} turned into
 * {@code :}, followed by {@code :}; without one the name may not contain {@code :}; the rest of the
 * name a DNS subdomain. {@code spec.trustBundle} at most 1 MiB of PEM CERTIFICATE blocks without
 * headers, each an X.509 CA certificate with valid basic constraints, at least one, no duplicates.
 * {@code spec.signerName} is immutable. Messages are kube's.
 */
final class ClusterTrustBundleRules implements ObjectRules {
    static final int MAX_TRUST_BUNDLE_SIZE = 1024 * 1024;
    private static final String KIND = "ClusterTrustBundle.certificates.k8s.io";
    private static final String OMITTED = "\"<value omitted>\"";
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    @Override
    public void create(ObjectNode bundle, String namespace) {
        List<FieldError> errors = validate(bundle);
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, bundle.path("metadata").path("name").asText(""), errors);
        }
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
        List<FieldError> errors = new ArrayList<>();
        String oldSigner = stored.path("spec").path("signerName").asText("");
        String newSigner = updated.path("spec").path("signerName").asText("");
        if (!oldSigner.equals(newSigner)) {
            errors.add(FieldError.invalid("spec.signerName", FieldError.quote(newSigner), "field is immutable"));
        }
        errors.addAll(validate(updated));
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, stored.path("metadata").path("name").asText(""), errors);
        }
    }

    private static List<FieldError> validate(JsonNode bundle) {
        List<FieldError> errors = new ArrayList<>();
        String signerName = bundle.path("spec").path("signerName").asText("");
        String name = bundle.path("metadata").path("name").asText("");
        for (String problem : nameProblems(name, signerName)) {
            errors.add(FieldError.invalid("metadata.name", FieldError.quote(name), problem));
        }
        errors.addAll(ObjectMetaRules.labelsAndAnnotations(bundle.path("metadata")));
        if (!signerName.isEmpty()) {
            errors.addAll(CsrRules.signerNameProblems(signerName));
        }
        errors.addAll(trustBundleProblems(bundle.path("spec").path("trustBundle").asText("")));
        return errors;
    }

    /** {@code ValidateClusterTrustBundleName}. */
    private static List<String> nameProblems(String name, String signerName) {
        String rest = name;
        if (signerName.isEmpty()) {
            if (name.contains(":")) {
                return List.of("ClusterTrustBundle without signer name must not have \":\" in its name");
            }
        } else {
            String prefix = signerName.replace('/', ':') + ":";
            if (!name.startsWith(prefix)) {
                return List.of("ClusterTrustBundle for signerName " + signerName + " must be named with prefix "
                        + prefix);
            }
            rest = name.substring(prefix.length());
        }
        List<String> problems = new ArrayList<>();
        if (rest.length() > 253) {
            problems.add("must be no more than 253 characters");
        }
        if (!DNS_SUBDOMAIN.matcher(rest).matches()) {
            problems.add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '" + DNS_SUBDOMAIN.pattern() + "')");
        }
        return problems;
    }

    /** {@code validateTrustBundle}: what is wrong with each PEM block, else with the bundle as a whole. */
    private static List<FieldError> trustBundleProblems(String trustBundle) {
        String field = "spec.trustBundle";
        byte[] bytes = trustBundle.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TRUST_BUNDLE_SIZE) {
            return List.of(FieldError.tooLong(field, MAX_TRUST_BUNDLE_SIZE));
        }
        List<FieldError> errors = new ArrayList<>();
        Map<String, List<Integer>> seen = new LinkedHashMap<>();
        byte[] rest = bytes;
        int index = -1;
        while (true) {
            GoEncoding.PemResult decoded = GoEncoding.pemDecode(rest);
            GoEncoding.PemBlock block = decoded.block();
            if (block == null) {
                break;
            }
            rest = decoded.rest();
            index++;
            String problem = blockProblem(block, index);
            if (problem != null) {
                errors.add(FieldError.invalid(field, OMITTED, problem));
                continue;
            }
            seen.computeIfAbsent(Arrays.toString(block.bytes()), k -> new ArrayList<>()).add(index);
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        if (seen.isEmpty()) {
            errors.add(FieldError.invalid(field, OMITTED, "at least one trust anchor must be provided"));
        }
        for (List<Integer> indices : seen.values()) {
            if (indices.size() > 1) {
                errors.add(FieldError.invalid(field, OMITTED, "duplicate trust anchor (indices " + indices.toString()
                        .replace(",", "") + ")"));
            }
        }
        return errors;
    }

    private static String blockProblem(GoEncoding.PemBlock block, int index) {
        if (!block.type().equals("CERTIFICATE")) {
            return "entry " + index + " has bad block type: " + block.type();
        }
        if (!block.headers().isEmpty()) {
            return "entry " + index + " has PEM block headers";
        }
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(block.bytes()));
        } catch (CertificateException | RuntimeException e) {
            return "entry " + index + " does not parse as X.509";
        }
        // getBasicConstraints: -1 unless the extension is there with cA true (Go's IsCA, with valid constraints).
        if (certificate.getBasicConstraints() < 0) {
            return "entry " + index + " does not have the CA bit set";
        }
        return null;
    }
}
