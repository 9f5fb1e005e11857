package io.csrflow.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Certificate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code ValidatePodCertificateRequestStatusUpdate} (kube's {@code pkg/apis/certificates/validation}),
 * in its order and words. The conditions come first: at most one of Issued, Denied and Failed, each
 * True, no other type, and each a valid {@code metav1.Condition}. Then what may change: nothing once
 * the stored request is Issued, Denied or Failed; only conditions when it becomes Denied or Failed;
 * nothing at all unless it becomes one of the three. Becoming Issued needs a PEM chain whose leaf
 * parses, was issued to {@code spec.pkixPublicKey}, and lives from {@code status.notBefore} (within
 * five minutes of the server's clock) to {@code status.notAfter}, at least an hour and at most
 * {@code spec.maxExpirationSeconds}; {@code status.beginRefreshAt} at least ten minutes inside that
 * window; and further blocks that are certificates.
 */
final class PodCertificateRequestStatusCheck {
    static final String ISSUED = "Issued";
    static final String DENIED = "Denied";
    static final String FAILED = "Failed";
    private static final List<String> TERMINAL = List.of(ISSUED, DENIED, FAILED);
    private static final int MAX_CERTIFICATE_CHAIN_SIZE = 100 * 1024;
    private static final String CHAIN = "status.certificateChain";
    private static final String NOT_BEFORE = "status.notBefore";
    private static final String NOT_AFTER = "status.notAfter";
    private static final String BEGIN_REFRESH_AT = "status.beginRefreshAt";
    private static final String CONDITION_REASON_FORMAT = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?";
    private static final Pattern CONDITION_REASON = Pattern.compile(CONDITION_REASON_FORMAT);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>(),;:\"\\\\]+@[^@\\s<>(),;:\"\\\\]+");

    private PodCertificateRequestStatusCheck() {
    }

    /**
     * The errors of a status update. {@code updated} has the stored spec already (the status
     * strategy stomps it); fields are read with {@code types}, which has checked that they decode.
     */
    static List<FieldError> problems(JsonNode stored, JsonNode updated, Instant now, GoJsonTypes types) {
        JsonNode status = updated.path("status");
        List<FieldError> errors = conditionProblems(status.path("conditions"), types);
        if (!errors.isEmpty()) {
            return errors;
        }
        if (isTerminal(stored)) {
            return unchanged(stored, updated, types, "immutable after PodCertificateRequest is issued, denied, or "
                    + "failed");
        }
        if (has(updated, DENIED) || has(updated, FAILED)) {
            boolean onlyConditions = status.path("certificateChain").asText("").isEmpty()
                    && types.time(status.get("notBefore")) == null && types.time(status.get("beginRefreshAt")) == null
                    && types.time(status.get("notAfter")) == null;
            return onlyConditions ? List.of() : List.of(FieldError.invalid("status", null,
                    "non-condition status fields must be empty when denying or failing the PodCertificateRequest"));
        }
        if (has(updated, ISSUED)) {
            return issuedProblems(stored, updated, now, types);
        }
        return unchanged(stored, updated, types,
                "status is immutable unless transitioning to \"Issued\", \"Denied\", or \"Failed\"");
    }

    /** Whether the request is Issued, Denied or Failed: no status update may change it any more. */
    static boolean isTerminal(JsonNode request) {
        return TERMINAL.stream().anyMatch(type -> has(request, type));
    }

    /**
     * The status as {@code apiequality.Semantic.DeepEqual} compares it: conditions field by field
     * with times as instants, the chain, and the three times as instants.
     */
    static List<Object> comparable(JsonNode status, GoJsonTypes times) {
        List<Object> conditions = new ArrayList<>();
        for (JsonNode c : status.path("conditions")) {
            conditions.add(List.of(c.path("type").asText(""), c.path("status").asText(""),
                    c.path("observedGeneration").asLong(0), String.valueOf(times.time(c.get("lastTransitionTime"))),
                    c.path("reason").asText(""), c.path("message").asText("")));
        }
        return List.of(conditions, status.path("certificateChain").asText(""),
                String.valueOf(times.time(status.get("notBefore"))),
                String.valueOf(times.time(status.get("beginRefreshAt"))),
                String.valueOf(times.time(status.get("notAfter"))));
    }

    private static List<FieldError> unchanged(JsonNode stored, JsonNode updated, GoJsonTypes times, String detail) {
        return comparable(stored.path("status"), times).equals(comparable(updated.path("status"), times)) ? List.of()
                : List.of(FieldError.invalid("status", null, detail));
    }

    private static boolean has(JsonNode request, String type) {
        for (JsonNode condition : request.path("status").path("conditions")) {
            if (condition.path("type").asText("").equals(type) && condition.path("status").asText("").equals("True")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The known types' rule, then {@code metav1validation.ValidateConditions}. The first builds its
     * paths from the index as a name ({@code status.conditions.[0].type}), the second as an index.
     */
    private static List<FieldError> conditionProblems(JsonNode conditions, GoJsonTypes times) {
        List<FieldError> errors = new ArrayList<>();
        int known = 0;
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode condition = conditions.get(i);
            String type = condition.path("type").asText("");
            String at = "status.conditions.[" + i + "]";
            if (TERMINAL.contains(type)) {
                known++;
                if (known > 1) {
                    errors.add(FieldError.invalid(at + ".type", FieldError.quote(type),
                            "There may be at most one condition with type \"Issued\", \"Denied\", or \"Failed\""));
                }
                String status = condition.path("status").asText("");
                if (!status.equals("True")) {
                    errors.add(FieldError.notSupported(at + ".status", FieldError.json(status), List.of("True")));
                }
            } else {
                errors.add(FieldError.notSupported(at + ".type", FieldError.quote(type), TERMINAL));
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode condition = conditions.get(i);
            String at = "status.conditions[" + i + "]";
            String type = condition.path("type").asText("");
            if (!seen.add(type)) {
                errors.add(FieldError.duplicate(at + ".type", FieldError.quote(type)));
            }
            for (String problem : ObjectMetaRules.labelKeyProblems(type)) {
                errors.add(FieldError.invalid(at + ".type", FieldError.quote(type), problem));
            }
            String status = condition.path("status").asText("");
            if (!List.of("False", "True", "Unknown").contains(status)) {
                errors.add(FieldError.notSupported(at + ".status", FieldError.json(status),
                        List.of("False", "True", "Unknown")));
            }
            long generation = condition.path("observedGeneration").asLong(0);
            if (generation < 0) {
                errors.add(FieldError.invalid(at + ".observedGeneration", String.valueOf(generation),
                        "must be greater than or equal to zero"));
            }
            if (times.time(condition.get("lastTransitionTime")) == null) {
                errors.add(FieldError.required(at + ".lastTransitionTime", ""));
            }
            String reason = condition.path("reason").asText("");
            if (reason.isEmpty()) {
                errors.add(FieldError.required(at + ".reason", ""));
            } else {
                if (!CONDITION_REASON.matcher(reason).matches()) {
                    errors.add(FieldError.invalid(at + ".reason", FieldError.quote(reason), "a condition reason must "
                            + "start with alphabetic character, optionally followed by a string of alphanumeric "
                            + "characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',"
                            + "  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used "
                            + "for validation is '" + CONDITION_REASON_FORMAT + "')"));
                }
                if (reason.length() > 1024) {
                    errors.add(FieldError.tooLong(at + ".reason", 1024));
                }
            }
            if (condition.path("message").asText("").length() > 32 * 1024) {
                errors.add(FieldError.tooLong(at + ".message", 32 * 1024));
            }
        }
        return errors;
    }

    /** The transition to Issued. */
    private static List<FieldError> issuedProblems(JsonNode stored, JsonNode updated, Instant now,
            GoJsonTypes types) {
        JsonNode status = updated.path("status");
        String chain = status.path("certificateChain").asText("");
        String quotedChain = FieldError.quote(chain);
        byte[] chainBytes = chain.getBytes(StandardCharsets.UTF_8);
        if (chainBytes.length > MAX_CERTIFICATE_CHAIN_SIZE) {
            return List.of(FieldError.tooLong(CHAIN, MAX_CERTIFICATE_CHAIN_SIZE));
        }
        GoEncoding.PemResult first = GoEncoding.pemDecode(chainBytes);
        if (first.block() == null) {
            return List.of(FieldError.invalid(CHAIN, quotedChain,
                    "issued certificate chain must contain at least one certificate"));
        }
        if (!first.block().type().equals("CERTIFICATE")) {
            return List.of(FieldError.invalid(CHAIN, quotedChain,
                    "issued certificate chain must consist entirely of CERTIFICATE PEM blocks"));
        }
        X509Certificate leaf = parseCertificate(first.block().bytes());
        if (leaf == null) {
            return List.of(FieldError.invalid(CHAIN, quotedChain, "leaf certificate does not parse as valid X.509"));
        }
        List<FieldError> errors = new ArrayList<>(nameProblems(leaf));
        byte[] pkix = types.bytes(stored.path("spec").get("pkixPublicKey"), "PodCertificateRequestSpec",
                ProofOfPossessionCheck.PKIX_FIELD);
        ProofOfPossessionCheck.ParsedKey wanted = ProofOfPossessionCheck.parse(pkix);
        if (wanted == null) {
            errors.add(FieldError.invalid(ProofOfPossessionCheck.PKIX_FIELD, FieldError.bytes(pkix),
                    ProofOfPossessionCheck.NOT_PKIX));
            return errors;
        }
        if (wanted.type() != ProofOfPossessionCheck.KeyType.OTHER
                && !ProofOfPossessionCheck.sameKey(wanted, Certificate.getInstance(first.block().bytes())
                .getSubjectPublicKeyInfo())) {
            errors.add(FieldError.invalid(CHAIN, quotedChain, "leaf certificate was not issued to the requested "
                    + "public key"));
            return errors;
        }
        Instant notBefore = types.time(status.get("notBefore"));
        Instant notAfter = types.time(status.get("notAfter"));
        Instant beginRefreshAt = types.time(status.get("beginRefreshAt"));
        if (notBefore == null) {
            errors.add(FieldError.required(NOT_BEFORE, "must be present and consistent with the issued certificate"));
        }
        if (notAfter == null) {
            errors.add(FieldError.required(NOT_AFTER, "must be present and consistent with the issued certificate"));
        }
        if (beginRefreshAt == null) {
            errors.add(FieldError.required(BEGIN_REFRESH_AT,
                    "must be present and in the range [notbefore+10min, notafter-10min]"));
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        FieldError timing = timingProblem(leaf, notBefore, notAfter, beginRefreshAt, now,
                stored.path("spec").path("maxExpirationSeconds").asLong());
        if (timing != null) {
            return List.of(timing);
        }
        return intermediateProblems(first.rest(), quotedChain);
    }

    private static FieldError timingProblem(X509Certificate leaf, Instant notBefore, Instant notAfter,
            Instant beginRefreshAt, Instant now, long maxExpirationSeconds) {
        Instant leafNotBefore = leaf.getNotBefore().toInstant();
        Instant leafNotAfter = leaf.getNotAfter().toInstant();
        if (!notBefore.equals(leafNotBefore)) {
            return FieldError.invalid(NOT_BEFORE, time(notBefore),
                    "must be set to the NotBefore time encoded in the leaf certificate");
        }
        Duration skew = Duration.ofMinutes(5);
        if (!(notBefore.isAfter(now.minus(skew)) && notBefore.isBefore(now.plus(skew)))) {
            return FieldError.invalid(NOT_BEFORE, time(notBefore),
                    "must be set to within 5 minutes of kube-apiserver's current time");
        }
        if (!notAfter.equals(leafNotAfter)) {
            return FieldError.invalid(NOT_AFTER, time(notAfter),
                    "must be set to the NotAfter time encoded in the leaf certificate");
        }
        Duration lifetime = Duration.between(leafNotBefore, leafNotAfter);
        // A time.Duration prints as its nanoseconds.
        String nanos = String.valueOf(lifetime.toNanos());
        if (lifetime.compareTo(Duration.ofHours(1)) < 0) {
            return FieldError.invalid(CHAIN, nanos, "leaf certificate lifetime must be >= 1 hour");
        }
        if (lifetime.compareTo(Duration.ofSeconds(maxExpirationSeconds)) > 0) {
            return FieldError.invalid(CHAIN, nanos, "leaf certificate lifetime must be <= spec.maxExpirationSeconds ("
                    + maxExpirationSeconds + ")");
        }
        if (beginRefreshAt.isBefore(notBefore.plus(Duration.ofMinutes(10)))) {
            return FieldError.invalid(BEGIN_REFRESH_AT, time(beginRefreshAt),
                    "must be at least 10 minutes after status.notBefore");
        }
        if (beginRefreshAt.isAfter(notAfter.minus(Duration.ofMinutes(10)))) {
            return FieldError.invalid(BEGIN_REFRESH_AT, time(beginRefreshAt),
                    "must be at least 10 minutes before status.notAfter");
        }
        return null;
    }

    /** The leaf's DNS names and e-mail addresses: no empty name, no {@code ..}, no leading or trailing dot. */
    private static List<FieldError> nameProblems(X509Certificate leaf) {
        List<FieldError> errors = new ArrayList<>();
        java.util.Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return errors;
        }
        if (names == null) {
            return errors;
        }
        for (List<?> name : names) {
            int kind = (Integer) name.get(0);
            String value = String.valueOf(name.get(1));
            if (kind == 2) {
                if (value.isEmpty()) {
                    errors.add(FieldError.invalid(CHAIN, FieldError.quote(value),
                            "leaf certificate should not contain empty DNSName"));
                }
                if (value.contains("..")) {
                    errors.add(FieldError.invalid(CHAIN, FieldError.quote(value),
                            "leaf certificate's DNSName should not contain '..'"));
                }
                if (value.startsWith(".") || value.endsWith(".")) {
                    errors.add(FieldError.invalid(CHAIN, FieldError.quote(value),
                            "leaf certificate's DNSName should not start or end with '.'"));
                }
            } else if (kind == 1 && !EMAIL.matcher(value).matches()) {
                // An approximation of net/mail.ParseAddress for a bare address.
                errors.add(FieldError.invalid(CHAIN, FieldError.quote(value),
                        "leaf certificate should not contain invalid EmailAddress"));
            }
        }
        return errors;
    }

    /** The blocks after the leaf: certificates, each parsing. */
    private static List<FieldError> intermediateProblems(byte[] rest, String quotedChain) {
        while (true) {
            GoEncoding.PemResult next = GoEncoding.pemDecode(rest);
            if (next.block() == null) {
                return List.of();
            }
            if (!next.block().type().equals("CERTIFICATE")) {
                // Go's words, misspelling included.
                return List.of(FieldError.invalid(CHAIN, quotedChain,
                        "issued certificate chain must consist entirely of CERTFICATE PEM blocks"));
            }
            if (parseCertificate(next.block().bytes()) == null) {
                return List.of(FieldError.invalid(CHAIN, quotedChain,
                        "intermediate certificate does not parse as valid X.509"));
            }
            rest = next.rest();
        }
    }

    /** {@code x509.ParseCertificate}: one certificate and nothing after it; null when it does not parse. */
    private static X509Certificate parseCertificate(byte[] der) {
        try {
            ASN1Primitive.fromByteArray(der);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (IOException | CertificateException | RuntimeException e) {
            return null;
        }
    }

    /** A {@code time.Time} as JSON prints it (RFC 3339, the fraction without trailing zeros), in UTC. */
    static String time(Instant instant) {
        String seconds = instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        if (instant.getNano() == 0) {
            return "\"" + seconds + "\"";
        }
        String fraction = String.format("%09d", instant.getNano()).replaceAll("0+$", "");
        return "\"" + seconds.substring(0, seconds.length() - 1) + "." + fraction + "Z\"";
    }
}
