package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The CSR rules of {@link CsrRules}, rule by rule with their boundaries, as the tables of
 * Kubernetes' {@code pkg/apis/certificates/validation/validation_test.go} and
 * {@code pkg/registry/certificates/certificates/strategy_test.go} state them, plus Go's x509
 * refusals the API server applies to {@code spec.request}. Each row is the body (or change) and
 * what the API server answers: accepted, or the exact text after {@code is invalid: } of the 422,
 * or the exact 400 message.
 */
class CsrValidationTest {
    static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
    static final CsrRules RULES = new CsrRules(Clock.fixed(NOW, ZoneOffset.UTC));
    static final EmulatorConfig.User CALLER = new EmulatorConfig.User("t", "kubernetes-admin", "",
            List.of("system:masters", "system:authenticated"), Map.of());
    static final String NAME = "test-csr";
    static final String INVALID = "CertificateSigningRequest.certificates.k8s.io \"" + NAME + "\" is invalid: ";
    static final String UNDECODABLE = "CertificateSigningRequest in version \"v1\" cannot be handled as a "
            + "CertificateSigningRequest: ";
    static final String VALID_REQUEST = TestCsrs.request().base64();
    static final String LABEL_RULE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
            + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used "
            + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    static final String SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String USAGES = "\"any\", \"cert sign\", \"client auth\", \"code signing\", \"content commitment\", "
            + "\"crl sign\", \"data encipherment\", \"decipher only\", \"digital signature\", \"email protection\", "
            + "\"encipher only\", \"ipsec end system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", "
            + "\"key encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", \"s/mime\", "
            + "\"server auth\", \"signing\", \"timestamping\"";
    static final String INSECURE_KEY = "-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)";

    /** A valid CSR body, the validation tests' {@code validObjectMeta} and spec. */
    static ObjectNode body() {
        ObjectNode csr = Json.MAPPER.createObjectNode();
        csr.put("apiVersion", "certificates.k8s.io/v1").put("kind", "CertificateSigningRequest");
        csr.putObject("metadata").put("name", NAME);
        ObjectNode spec = csr.putObject("spec");
        spec.put("request", VALID_REQUEST);
        spec.put("signerName", "example.com/valid-name");
        spec.putArray("usages").add("digital signature").add("client auth");
        return csr;
    }

    static ObjectNode body(Consumer<ObjectNode> change) {
        ObjectNode csr = body();
        change.accept(csr);
        return csr;
    }

    static ObjectNode spec(ObjectNode csr) {
        return (ObjectNode) csr.get("spec");
    }

    /** The text after "is invalid: " of the 422 create answers, or null when create accepts the body. */
    static String createOutcome(ObjectNode csr) {
        try {
            RULES.create(csr, CALLER);
            return null;
        } catch (ApiException e) {
            assertEquals(422, e.code(), e.getMessage());
            assertEquals("Invalid", e.reason());
            String prefix = "CertificateSigningRequest.certificates.k8s.io " + FieldError.quote(e.details().name())
                    + " is invalid: ";
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
            return e.getMessage().substring(prefix.length());
        }
    }

    static String repeat(String s, int times) {
        return s.repeat(times);
    }

    // ---- spec.signerName: ValidateSignerName ----------------------------------------------------

    static Stream<Arguments> signerNames() {
        String fqdn253 = repeat("a", 63) + "." + repeat("a", 63) + "." + repeat("a", 63) + "." + repeat("a", 61);
        String longest = fqdn253 + "/" + repeat("a", 63) + "." + repeat("a", 253);
        return Stream.of(
                Arguments.of("kubernetes.io/kube-apiserver-client-kubelet", null),
                Arguments.of("example.com/some-signer-name", null),
                Arguments.of("", "spec.signerName: Required value"),
                Arguments.of("kubernetes.io/legacy-unknown", "spec.signerName: Invalid value: "
                        + "\"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version"),
                Arguments.of("an-invalid-signer-name", "spec.signerName: Invalid value: \"an-invalid-signer-name\": "
                        + "must be a fully qualified domain and path of the form 'example.com/signer-name'"),
                // Two slashes: the emulator used to accept them.
                Arguments.of("an-invalid-signer-name.com/something/else", "spec.signerName: Invalid value: "
                        + "\"an-invalid-signer-name.com/something/else\": must be a fully qualified domain and path of "
                        + "the form 'example.com/signer-name'"),
                // One-label domain: the emulator used to accept it.
                Arguments.of("example/some-signer-name", "spec.signerName: Invalid value: \"example\": should be a "
                        + "domain with at least two segments separated by dots"),
                Arguments.of("Example.com/x", "spec.signerName: Invalid value: \"Example.com\": validating label "
                        + "\"Example\": " + LABEL_RULE),
                Arguments.of("example..com/x", "spec.signerName: Invalid value: \"example..com\": validating label "
                        + "\"\": " + LABEL_RULE),
                Arguments.of("example.com/", "spec.signerName: Invalid value: \"\": validating label \"\": "
                        + SUBDOMAIN_RULE),
                Arguments.of("example.com/something-", "spec.signerName: Invalid value: \"something-\": validating "
                        + "label \"something-\": " + SUBDOMAIN_RULE),
                Arguments.of("example.com/-", "spec.signerName: Invalid value: \"-\": validating label \"-\": "
                        + SUBDOMAIN_RULE),
                // Upper case in the path: the emulator used to accept it.
                Arguments.of("example.com/Signer", "spec.signerName: Invalid value: \"Signer\": validating label "
                        + "\"Signer\": " + SUBDOMAIN_RULE),
                Arguments.of("example.com/ns..name", "spec.signerName: Invalid value: \"ns..name\": validating label "
                        + "\"\": " + SUBDOMAIN_RULE),
                // A domain label of 63 is fine; of 64 (the emulator used to accept it) is not.
                Arguments.of(repeat("a", 63) + ".example.io/valid-path", null),
                Arguments.of(repeat("a", 64) + ".example.io/valid-path", "spec.signerName: Invalid value: \""
                        + repeat("a", 64) + ".example.io\": validating label \"" + repeat("a", 64) + "\": must be no "
                        + "more than 63 characters"),
                // A domain of 253 is fine; of 259 is too long.
                Arguments.of(fqdn253 + "/valid-path", null),
                Arguments.of(fqdn253 + ".extra/valid-path", "spec.signerName: Too long: may not be more than 253 "
                        + "bytes"),
                // A path label may be a whole subdomain of 253, not 254.
                Arguments.of("abc.io/" + repeat("a", 253) + "." + repeat("a", 253), null),
                Arguments.of("abc.io/" + repeat("a", 254), "spec.signerName: Invalid value: \"" + repeat("a", 254)
                        + "\": validating label \"" + repeat("a", 254) + "\": must be no more than 253 characters"),
                // <fqdn>/<namespace>.<name> at its 571 characters (the emulator used to refuse it), and one more.
                Arguments.of(longest, null),
                Arguments.of(longest + ".toolong", "spec.signerName: Too long: may not be more than 571 bytes"));
    }

    @ParameterizedTest
    @MethodSource("signerNames")
    void signerNameIsAQualifiedNameOfADomainAndAPath(String signerName, String expected) {
        assertEquals(expected, createOutcome(body(c -> spec(c).put("signerName", signerName))));
    }

    @Test
    void missingSignerNameIsRequired() {
        assertEquals("spec.signerName: Required value", createOutcome(body(c -> spec(c).remove("signerName"))));
    }

    // ---- spec.usages ----------------------------------------------------------------------------

    static Stream<Arguments> usages() {
        return Stream.of(
                Arguments.of(List.of("key encipherment"), null),
                Arguments.of(List.of("any", "cert sign", "client auth", "code signing", "content commitment",
                        "crl sign", "data encipherment", "decipher only", "digital signature", "email protection",
                        "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
                        "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth",
                        "signing", "timestamping"), null),
                Arguments.of(List.of(), "spec.usages: Required value"),
                Arguments.of(List.of("root of trust"), "spec.usages[0]: Unsupported value: \"root of trust\": "
                        + "supported values: " + USAGES),
                Arguments.of(List.of("Client Auth"), "spec.usages[0]: Unsupported value: \"Client Auth\": "
                        + "supported values: " + USAGES),
                Arguments.of(List.of("client auth", "client auth"), "spec.usages[1]: Duplicate value: "
                        + "\"client auth\""),
                Arguments.of(List.of("unknown", "unknown"), "[spec.usages[0]: Unsupported value: \"unknown\": "
                        + "supported values: " + USAGES + ", spec.usages[1]: Unsupported value: \"unknown\": "
                        + "supported values: " + USAGES + ", spec.usages[1]: Duplicate value: \"unknown\"]"));
    }

    @ParameterizedTest
    @MethodSource("usages")
    void usagesAreRequiredKnownAndDistinct(List<String> usages, String expected) {
        assertEquals(expected, createOutcome(body(c -> {
            ArrayNode array = spec(c).putArray("usages");
            usages.forEach(array::add);
        })));
    }

    @Test
    void missingUsagesAreRequired() {
        assertEquals("spec.usages: Required value", createOutcome(body(c -> spec(c).remove("usages"))));
    }

    // ---- spec.expirationSeconds -----------------------------------------------------------------

    static Stream<Arguments> expirations() {
        return Stream.of(
                Arguments.of("600", null),
                Arguments.of("86400", null),
                Arguments.of("2147483647", null),
                Arguments.of("599", "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than "
                        + "600 seconds (10 minutes)"),
                Arguments.of("1", "spec.expirationSeconds: Invalid value: 1: may not specify a duration less than 600 "
                        + "seconds (10 minutes)"),
                Arguments.of("0", "spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 600 "
                        + "seconds (10 minutes)"),
                Arguments.of("-1", "spec.expirationSeconds: Invalid value: -1: may not specify a duration less than "
                        + "600 seconds (10 minutes)"),
                Arguments.of("null", null));
    }

    @ParameterizedTest
    @MethodSource("expirations")
    void expirationIsAtLeastTenMinutes(String json, String expected) {
        assertEquals(expected, createOutcome(body(c -> spec(c).set("expirationSeconds", parse(json)))));
    }

    static Stream<Arguments> undecodableExpirations() {
        return Stream.of(
                Arguments.of("2147483648", "json: cannot unmarshal number 2147483648 into Go struct field "
                        + "CertificateSigningRequestSpec.spec.expirationSeconds of type int32"),
                Arguments.of("-2147483649", "json: cannot unmarshal number -2147483649 into Go struct field "
                        + "CertificateSigningRequestSpec.spec.expirationSeconds of type int32"),
                Arguments.of("600.5", "json: cannot unmarshal number 600.5 into Go struct field "
                        + "CertificateSigningRequestSpec.spec.expirationSeconds of type int32"),
                Arguments.of("\"600\"", "json: cannot unmarshal string into Go struct field "
                        + "CertificateSigningRequestSpec.spec.expirationSeconds of type int32"));
    }

    @ParameterizedTest
    @MethodSource("undecodableExpirations")
    void expirationBeyondInt32IsABadRequest(String json, String decoderError) {
        ApiException e = assertThrows(ApiException.class,
                () -> RULES.create(body(c -> spec(c).set("expirationSeconds", parse(json))), CALLER));
        assertEquals(400, e.code());
        assertEquals("BadRequest", e.reason());
        assertEquals(UNDECODABLE + decoderError, e.getMessage());
    }

    // ---- spec.request: ParseCSR and CheckSignature ------------------------------------------------

    static Stream<Arguments> requests() {
        TestCsrs.Request ec = TestCsrs.request();
        String notPem = TestCsrs.base64("invalid data");
        String certificate = TestCsrs.base64(TestCsrs.certificatePem("not-a-request"));
        String brokenBlock = TestCsrs.base64(ec.pem().replaceFirst("\n[A-Za-z0-9+/]{10}", "\n!!!!!!!!!!"));
        String brokenEc = TestCsrs.base64(ec.brokenSignaturePem());
        var rsa2048 = TestCsrs.request(TestCsrs.rsa(2048, TestCsrs.F4), "SHA256withRSA");
        String brokenRsa = TestCsrs.base64(rsa2048.brokenSignaturePem());
        var ed = TestCsrs.request(TestCsrs.ed25519(), "Ed25519");
        String brokenEd = TestCsrs.base64(ed.brokenSignaturePem());
        String rsa1023 = TestCsrs.request(TestCsrs.rsa(1023, TestCsrs.F4), "SHA256withRSA").base64();
        String bigExponent = TestCsrs.request(TestCsrs.rsa(2048, BigInteger.valueOf(2147483659L)), "SHA256withRSA")
                .base64();
        String md5 = TestCsrs.request(TestCsrs.rsa(2048, TestCsrs.F4), "MD5withRSA").base64();
        String k1 = TestCsrs.request(TestCsrs.ec("secp256k1"), "SHA256withECDSA").base64();
        byte[] trailing = ec.der();
        byte[] withTrailing = java.util.Arrays.copyOf(trailing, trailing.length + 2);
        String trailingData = TestCsrs.base64(TestCsrs.pem("CERTIFICATE REQUEST", withTrailing));
        return Stream.of(
                Arguments.of("EC P-256, SHA256withECDSA", VALID_REQUEST, null),
                Arguments.of("EC P-384", TestCsrs.request(TestCsrs.ec("secp384r1"), "SHA384withECDSA").base64(), null),
                Arguments.of("EC P-521", TestCsrs.request(TestCsrs.ec("secp521r1"), "SHA512withECDSA").base64(), null),
                Arguments.of("Ed25519", ed.base64(), null),
                Arguments.of("RSA 2048", rsa2048.base64(), null),
                Arguments.of("RSA-PSS", TestCsrs.request(TestCsrs.rsa(2048, TestCsrs.F4), "SHA256withRSAandMGF1")
                        .base64(), null),
                Arguments.of("SHA-1 is allowed for CSRs", TestCsrs.request(TestCsrs.rsa(2048, TestCsrs.F4),
                        "SHA1withRSA").base64(), null),
                Arguments.of("text around the block", TestCsrs.base64("a note\n" + ec.pem() + "trailing words\n"), null),
                Arguments.of("RSA 1024, the smallest Go accepts", TestCsrs.request(TestCsrs.rsa(1024, TestCsrs.F4),
                        "SHA256withRSA").base64(), null),
                Arguments.of("RSA 1023", rsa1023, "crypto/rsa: 1023" + INSECURE_KEY),
                Arguments.of("RSA exponent 2^31-1, the largest Go accepts", TestCsrs.request(TestCsrs.rsa(2048,
                        BigInteger.valueOf(Integer.MAX_VALUE)), "SHA256withRSA").base64(), null),
                Arguments.of("RSA exponent 2^31+11", bigExponent, "crypto/rsa: public exponent too large"),
                Arguments.of("not PEM", notPem, CsrRequestCheck.NOT_A_CSR_PEM),
                Arguments.of("a CERTIFICATE block", certificate, CsrRequestCheck.NOT_A_CSR_PEM),
                Arguments.of("a block whose base64 is broken", brokenBlock, CsrRequestCheck.NOT_A_CSR_PEM),
                Arguments.of("EC signature that does not verify", brokenEc, "x509: ECDSA verification failure"),
                Arguments.of("RSA signature that does not verify", brokenRsa, "crypto/rsa: verification error"),
                Arguments.of("Ed25519 signature that does not verify", brokenEd, "x509: Ed25519 verification failure"),
                Arguments.of("MD5 signature", md5, "x509: cannot verify signature: insecure algorithm MD5-RSA"),
                Arguments.of("secp256k1 key", k1, "x509: unsupported elliptic curve"),
                Arguments.of("bytes after the request", trailingData, "asn1: syntax error: trailing data"),
                Arguments.of("a request cut short", der(java.util.Arrays.copyOf(trailing, trailing.length - 20)),
                        "asn1: syntax error: data truncated"),
                Arguments.of("an empty block", der(new byte[0]), "asn1: syntax error: sequence truncated"),
                Arguments.of("an indefinite length", der(new byte[] {0x30, (byte) 0x80, 0, 0}),
                        "asn1: syntax error: indefinite length found (not DER)"),
                Arguments.of("a long length for a short element", der(new byte[] {0x30, (byte) 0x81, 0x01, 0x05}),
                        "asn1: structure error: non-minimal length"),
                Arguments.of("an INTEGER, not a SEQUENCE", der(new byte[] {0x02, 0x01, 0x05}),
                        "asn1: structure error: tags don't match (16 vs {class:0 tag:2 length:1 isCompound:false}) "
                                + "{optional:false explicit:false application:false private:false defaultValue:<nil> "
                                + "tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} certificateRequest @2"));
    }

    /** {@code spec.request} of a CERTIFICATE REQUEST block holding these bytes. */
    private static String der(byte[] bytes) {
        return TestCsrs.base64(TestCsrs.pem("CERTIFICATE REQUEST", bytes));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void requestIsAPemCsrThatGoParsesAndVerifies(String description, String request, String goError) {
        String expected = goError == null ? null : "spec.request: Invalid value: \"" + request + "\": " + goError;
        assertEquals(expected, createOutcome(body(c -> spec(c).put("request", request))));
    }

    static Stream<Arguments> altNames() {
        byte[] ascii = "node-1.example.com".getBytes();
        byte[] nonAscii = "n\u00e9ud.example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("dNSName", TestCsrs.altName(2, ascii), null),
                Arguments.of("dNSName not IA5", TestCsrs.altName(2, nonAscii), "x509: SAN dNSName is malformed"),
                Arguments.of("rfc822Name not IA5", TestCsrs.altName(1, nonAscii), "x509: SAN rfc822Name is malformed"),
                Arguments.of("URI not IA5", TestCsrs.altName(6, nonAscii),
                        "x509: SAN uniformResourceIdentifier is malformed"),
                Arguments.of("IPv4", TestCsrs.altName(7, new byte[4]), null),
                Arguments.of("IPv6", TestCsrs.altName(7, new byte[] {0x20, 1, 0xd, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 1}), null),
                Arguments.of("IP of 5 bytes", TestCsrs.altName(7, new byte[5]),
                        "x509: cannot parse IP address of length 5"),
                Arguments.of("IP of 15 bytes", TestCsrs.altName(7, new byte[15]),
                        "x509: cannot parse IP address of length 15"),
                Arguments.of("IP of 0 bytes", TestCsrs.altName(7, new byte[0]),
                        "x509: cannot parse IP address of length 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("altNames")
    void requestedAltNamesAreWhatGoCanRead(String description, org.bouncycastle.asn1.ASN1Encodable altName,
            String goError) {
        String request = TestCsrs.request().altName(altName).base64();
        String expected = goError == null ? null : "spec.request: Invalid value: \"" + request + "\": " + goError;
        assertEquals(expected, createOutcome(body(c -> spec(c).put("request", request))));
    }

    static Stream<Arguments> emptyRequests() {
        return Stream.of(
                Arguments.of("absent", null, "spec.request: Invalid value: null: PEM block type must be CERTIFICATE "
                        + "REQUEST"),
                Arguments.of("empty", "\"\"", "spec.request: Invalid value: \"\": PEM block type must be CERTIFICATE "
                        + "REQUEST"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("emptyRequests")
    void emptyRequestIsInvalidNotRequired(String description, String json, String expected) {
        assertEquals(expected, createOutcome(body(c -> {
            if (json == null) {
                spec(c).remove("request");
            } else {
                spec(c).set("request", parse(json));
            }
        })));
    }

    static Stream<Arguments> undecodableRequests() {
        return Stream.of(
                Arguments.of("not base64!", "illegal base64 data at input byte 3"),
                Arguments.of("aGVsbG8", "illegal base64 data at input byte 4"),
                Arguments.of("aGVsbA=", "illegal base64 data at input byte 7"),
                Arguments.of("aGVsbG8=x", "illegal base64 data at input byte 8"));
    }

    @ParameterizedTest
    @MethodSource("undecodableRequests")
    void requestThatIsNotBase64IsABadRequest(String request, String decoderError) {
        ApiException e = assertThrows(ApiException.class,
                () -> RULES.create(body(c -> spec(c).put("request", request)), CALLER));
        assertEquals(400, e.code());
        assertEquals(UNDECODABLE + decoderError, e.getMessage());
    }

    @Test
    void base64SplitOverLinesDecodesAsGoDoes() {
        String wrapped = VALID_REQUEST.replaceAll("(.{76})", "$1\n");
        assertEquals(null, createOutcome(body(c -> spec(c).put("request", wrapped))));
    }

    // ---- metadata: names as path segments, generateName, labels ------------------------------------

    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of("node-csr-abc", null),
                Arguments.of("Upper_Case:and spaces", null),
                Arguments.of(repeat("x", 300), null),
                Arguments.of("a/b", "metadata.name: Invalid value: \"a/b\": may not contain '/'"),
                Arguments.of("a%b", "metadata.name: Invalid value: \"a%b\": may not contain '%'"),
                Arguments.of("a/%", "[metadata.name: Invalid value: \"a/%\": may not contain '/', metadata.name: "
                        + "Invalid value: \"a/%\": may not contain '%']"),
                Arguments.of(".", "metadata.name: Invalid value: \".\": may not be '.'"),
                Arguments.of("..", "metadata.name: Invalid value: \"..\": may not be '..'"),
                Arguments.of("...", null));
    }

    @ParameterizedTest
    @MethodSource("names")
    void nameNeedOnlyBeAPathSegment(String name, String expected) {
        assertEquals(expected, createOutcome(body(c -> ((ObjectNode) c.get("metadata")).put("name", name))));
    }

    @Test
    void theInvalidMessageNamesTheObject() {
        ApiException e = assertThrows(ApiException.class,
                () -> RULES.create(body(c -> ((ObjectNode) c.get("metadata")).put("name", "a/b")), CALLER));
        assertEquals("CertificateSigningRequest.certificates.k8s.io \"a/b\" is invalid: metadata.name: Invalid value: "
                + "\"a/b\": may not contain '/'", e.getMessage());
        ApiException.Details details = e.details();
        assertEquals("a/b", details.name());
        assertEquals("certificates.k8s.io", details.group());
        assertEquals("CertificateSigningRequest", details.kind());
        assertEquals(List.of(new FieldError("FieldValueInvalid", "metadata.name", "\"a/b\"", "may not contain '/'")),
                details.causes());
    }

    @Test
    void specErrorsComeFirstAndThePathSegmentCheckOnlyAfterThem() {
        // BeforeCreate runs the kind's validation, and the generic name check only when that passed.
        assertEquals("spec.usages: Required value", createOutcome(body(c -> {
            ((ObjectNode) c.get("metadata")).put("name", "a/b");
            spec(c).putArray("usages");
        })));
    }

    @Test
    void nameOrGenerateNameIsRequired() {
        ApiException e = assertThrows(ApiException.class,
                () -> RULES.create(body(c -> ((ObjectNode) c.get("metadata")).remove("name")), CALLER));
        assertEquals("CertificateSigningRequest.certificates.k8s.io \"\" is invalid: metadata.name: Required value: "
                + "name or generateName is required", e.getMessage());
    }

    @Test
    void generateNameAddsFiveCharactersToABaseOfAtMost58() {
        ObjectNode generated = body();
        generated.set("metadata", Json.MAPPER.createObjectNode().put("generateName", "csr-"));
        ObjectNode created = RULES.create(generated, CALLER);
        assertTrue(created.path("metadata").path("name").asText().matches("csr-[bcdfghjklmnpqrstvwxz2456789]{5}"),
                created.path("metadata").path("name").asText());

        ObjectNode metadata = Json.MAPPER.createObjectNode().put("generateName", repeat("g", 70));
        ObjectNode longBase = body();
        longBase.set("metadata", metadata);
        String name = RULES.create(longBase, CALLER).path("metadata").path("name").asText();
        assertEquals(63, name.length());
        assertTrue(name.startsWith(repeat("g", 58)), name);
    }

    @Test
    void generateNameMustBeAPathSegmentPrefixToo() {
        ObjectNode csr = body();
        csr.set("metadata", Json.MAPPER.createObjectNode().put("generateName", "a/"));
        ApiException e = assertThrows(ApiException.class, () -> RULES.create(csr, CALLER));
        assertTrue(e.getMessage().matches("CertificateSigningRequest\\.certificates\\.k8s\\.io \"a/[a-z0-9]{5}\" is "
                + "invalid: \\[metadata\\.generateName: Invalid value: \"a/\": may not contain '/', metadata\\.name: "
                + "Invalid value: \"a/[a-z0-9]{5}\": may not contain '/'\\]"), e.getMessage());
    }

    @Test
    void aNamespaceInTheBodyIsDroppedForAClusterScopedKind() {
        ObjectNode created = RULES.create(body(c -> ((ObjectNode) c.get("metadata")).put("namespace", "default")),
                CALLER);
        assertFalse(created.path("metadata").has("namespace"));
    }

    static Stream<Arguments> labels() {
        String keyRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is "
                + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        return Stream.of(
                Arguments.of("team", "a", null),
                Arguments.of("example.com/team", repeat("v", 63), null),
                Arguments.of("team", repeat("v", 64), "metadata.labels: Invalid value: \"" + repeat("v", 64)
                        + "\": must be no more than 63 bytes"),
                Arguments.of("-team", "a", "metadata.labels: Invalid value: \"-team\": name part " + keyRule),
                Arguments.of("team", "a b", "metadata.labels: Invalid value: \"a b\": a valid label must be an empty "
                        + "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                        + "an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for "
                        + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
    }

    @ParameterizedTest
    @MethodSource("labels")
    void labelsAreQualifiedNamesAndLabelValues(String key, String value, String expected) {
        assertEquals(expected, createOutcome(body(c -> ((ObjectNode) c.get("metadata")).putObject("labels")
                .put(key, value))));
    }

    @Test
    void severalErrorsAreListedInBracketsInTheirOrder() {
        assertEquals("[spec.usages: Required value, spec.signerName: Required value]", createOutcome(body(c -> {
            spec(c).remove("usages");
            spec(c).remove("signerName");
        })));
    }

    @Test
    void createStampsTheRequesterAndDropsTheStatus() {
        ObjectNode created = RULES.create(body(c -> {
            spec(c).put("username", "system:admin").putArray("groups").add("system:masters");
            c.putObject("status").putArray("conditions").addObject().put("type", "Approved").put("status", "True");
        }), CALLER);
        assertEquals("kubernetes-admin", created.path("spec").path("username").asText());
        assertFalse(created.path("spec").has("uid"));
        assertEquals(Json.MAPPER.createObjectNode(), created.get("status"));
    }

    // ---- update, /approval, /status: what each may change ----------------------------------------

    /** A stored CSR: created, then given these conditions and certificate. */
    static ObjectNode stored(List<ObjectNode> conditions, String certificatePem) {
        ObjectNode csr = RULES.create(body(), CALLER);
        ObjectNode metadata = (ObjectNode) csr.get("metadata");
        metadata.put("uid", "00000000-0000-0000-0000-000000000001").put("resourceVersion", "7");
        ObjectNode status = (ObjectNode) csr.get("status");
        if (!conditions.isEmpty()) {
            ArrayNode array = status.putArray("conditions");
            conditions.forEach(array::add);
        }
        if (certificatePem != null) {
            status.put("certificate", TestCsrs.base64(certificatePem));
        }
        return csr;
    }

    static ObjectNode condition(String type, String status, String reason) {
        ObjectNode c = Json.MAPPER.createObjectNode().put("type", type);
        if (status != null) {
            c.put("status", status);
        }
        if (reason != null) {
            c.put("reason", reason);
        }
        return c;
    }

    static ObjectNode condition(String type) {
        return condition(type, "True", "Test");
    }

    static ObjectNode issued(String type) {
        return condition(type).put("lastUpdateTime", "2029-01-01T00:00:00Z")
                .put("lastTransitionTime", "2029-01-01T00:00:00Z");
    }

    static List<String> types(JsonNode csr) {
        List<String> types = new ArrayList<>();
        csr.path("status").path("conditions").forEach(c -> types.add(c.path("type").asText()));
        return types;
    }

    /** The text after "is invalid: " of a refused update, or null when accepted. */
    static String outcome(Runnable update) {
        try {
            update.run();
            return null;
        } catch (ApiException e) {
            assertEquals(422, e.code(), e.getMessage());
            return e.getMessage().substring(INVALID.length());
        }
    }

    static Stream<Arguments> approvals() {
        return Stream.of(
                Arguments.of("add Approved", List.of(), List.of(condition("Approved")), null),
                Arguments.of("add Denied", List.of(), List.of(condition("Denied")), null),
                Arguments.of("add Failed", List.of(), List.of(condition("Failed")), null),
                Arguments.of("change the Approved condition's reason", List.of(issued("Approved")),
                        List.of(condition("Approved", "True", "Other")), null),
                Arguments.of("Approved must be True", List.of(), List.of(condition("Approved", "False", null)),
                        "status.conditions[0].status: Unsupported value: \"False\": supported values: \"True\""),
                Arguments.of("Denied must be True", List.of(), List.of(condition("Denied", "Unknown", null)),
                        "status.conditions[0].status: Unsupported value: \"Unknown\": supported values: \"True\""),
                Arguments.of("status is required", List.of(), List.of(condition("Approved", null, null)),
                        "status.conditions[0].status: Required value"),
                Arguments.of("type is required", List.of(), List.of(condition("", "True", null)),
                        "status.conditions[0].type: Required value"),
                Arguments.of("another type may be True, False or Unknown", List.of(),
                        List.of(condition("Reviewed", "Maybe", null)), "status.conditions[0].status: Unsupported "
                        + "value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\""),
                Arguments.of("Approved then Denied", List.of(), List.of(condition("Approved"), condition("Denied")),
                        "status.conditions: Invalid value: \"Denied\": Approved and Denied conditions are mutually "
                                + "exclusive"),
                Arguments.of("Denied then Approved", List.of(), List.of(condition("Denied"), condition("Approved")),
                        "status.conditions: Invalid value: \"Approved\": Approved and Denied conditions are mutually "
                                + "exclusive"),
                Arguments.of("Denied added to Approved", List.of(issued("Approved")),
                        List.of(issued("Approved"), condition("Denied")), "status.conditions: Invalid value: "
                                + "\"Denied\": Approved and Denied conditions are mutually exclusive"),
                Arguments.of("duplicate type", List.of(), List.of(condition("Approved"), condition("Approved")),
                        "status.conditions[1].type: Duplicate value: \"Approved\""),
                Arguments.of("remove Approved", List.of(issued("Approved")), List.of(),
                        "status.conditions: Forbidden: updates may not remove a condition of type \"Approved\""),
                Arguments.of("remove Denied", List.of(issued("Denied")), List.of(condition("Reviewed")),
                        "status.conditions: Forbidden: updates may not remove a condition of type \"Denied\""),
                Arguments.of("remove Failed", List.of(issued("Approved"), issued("Failed")), List.of(issued("Approved")),
                        "status.conditions: Forbidden: updates may not remove a condition of type \"Failed\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("approvals")
    void approvalMayChangeConditionsButNotRemoveApprovedDeniedOrFailed(String description, List<ObjectNode> before,
            List<ObjectNode> requested, String expected) {
        assertEquals(expected, outcome(() -> RULES.approve(stored(before, null), requested)));
    }

    @Test
    void approvalStampsMissingTimesAndKeepsTheRestOfTheStatus() {
        String certificate = TestCsrs.certificatePem("issued");
        ObjectNode stored = stored(List.of(issued("Failed")), certificate);
        ObjectNode approved = RULES.approve(stored, List.of(issued("Failed"), condition("Approved")));
        JsonNode added = approved.path("status").path("conditions").get(1);
        assertEquals(NOW.toString(), added.path("lastUpdateTime").asText());
        assertEquals(NOW.toString(), added.path("lastTransitionTime").asText());
        assertEquals(TestCsrs.base64(certificate), approved.path("status").path("certificate").asText());
        assertEquals(stored.get("spec"), approved.get("spec"));
    }

    static Stream<Arguments> statusUpdates() {
        return Stream.of(
                Arguments.of("add Failed next to Approved", List.of(issued("Approved")),
                        List.of(condition("Approved"), condition("Failed")), null),
                Arguments.of("add Approved", List.of(), List.of(condition("Approved")),
                        "status.conditions: Forbidden: updates may not add a condition of type \"Approved\""),
                Arguments.of("add Denied", List.of(), List.of(condition("Denied")),
                        "status.conditions: Forbidden: updates may not add a condition of type \"Denied\""),
                Arguments.of("leave Approved out", List.of(issued("Approved")), List.of(condition("Failed")),
                        "status.conditions: Forbidden: updates may not remove a condition of type \"Approved\""),
                // The emulator used to drop the stored Failed condition silently.
                Arguments.of("remove Failed", List.of(issued("Approved"), issued("Failed")),
                        List.of(issued("Approved")),
                        "status.conditions: Forbidden: updates may not remove a condition of type \"Failed\""),
                Arguments.of("Failed must be True", List.of(issued("Approved")),
                        List.of(issued("Approved"), condition("Failed", "False", null)),
                        "status.conditions[1].status: Unsupported value: \"False\": supported values: \"True\""),
                Arguments.of("add a condition of another type", List.of(issued("Approved")),
                        List.of(issued("Approved"), condition("Retrying", "Unknown", null)), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statusUpdates")
    void statusMayNotAddApprovalOrRemoveApprovedDeniedOrFailed(String description, List<ObjectNode> before,
            List<ObjectNode> requested, String expected) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode array = body.putObject("status").putArray("conditions");
        requested.forEach(array::add);
        assertEquals(expected, outcome(() -> RULES.updateStatus(stored(before, null), body)));
    }

    @Test
    void statusKeepsTheStoredApprovalWhereTheBodyHasAsManyOfThem() {
        // strategy_test TestStatusUpdate: "adding failed condition to existing approved/denied conditions"
        ObjectNode stored = stored(List.of(issued("Approved").put("reason", "because")), null);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("status").putArray("conditions").add(condition("Failed"))
                .add(condition("Approved", "True", "rewritten"));
        ObjectNode updated = RULES.updateStatus(stored, body);
        assertEquals(List.of("Failed", "Approved"), types(updated));
        JsonNode approved = updated.path("status").path("conditions").get(1);
        assertEquals("because", approved.path("reason").asText());
        assertEquals("2029-01-01T00:00:00Z", approved.path("lastUpdateTime").asText());
        assertEquals(NOW.toString(), updated.path("status").path("conditions").get(0).path("lastUpdateTime").asText());
    }

    static Stream<Arguments> certificates() {
        String first = TestCsrs.certificatePem("first");
        String second = TestCsrs.certificatePem("second");
        String withHeaders = first.replace("-----BEGIN CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n");
        String empty = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
        String garbage = TestCsrs.pem("CERTIFICATE", "not DER at all".getBytes());
        return Stream.of(
                Arguments.of("set once", null, first, null),
                Arguments.of("a chain", null, first + second, null),
                Arguments.of("with text around it", null, "issued by the test\n" + first + "done\n", null),
                Arguments.of("the same again", first, first, null),
                Arguments.of("changed", first, second,
                        "status.certificate: Forbidden: updates may not modify existing certificate content"),
                Arguments.of("removed", first, null,
                        "status.certificate: Forbidden: updates may not modify existing certificate content"),
                Arguments.of("not PEM", null, "not a certificate",
                        "status.certificate: Invalid value: \"<certificate data>\": must contain at least one "
                                + "CERTIFICATE PEM block"),
                Arguments.of("a CERTIFICATE REQUEST block", null, TestCsrs.request().pem(),
                        "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are "
                                + "allowed, found \"CERTIFICATE REQUEST\""),
                Arguments.of("a certificate then a request", null, first + TestCsrs.request().pem(),
                        "status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are "
                                + "allowed, found \"CERTIFICATE REQUEST\""),
                Arguments.of("PEM headers", null, withHeaders,
                        "status.certificate: Invalid value: \"<certificate data>\": no PEM block headers are "
                                + "permitted"),
                Arguments.of("an empty block", null, empty,
                        "status.certificate: Invalid value: \"<certificate data>\": found CERTIFICATE PEM block "
                                + "containing 0 certificates"),
                Arguments.of("a block that is not a certificate", null, garbage,
                        "status.certificate: Invalid value: \"<certificate data>\": x509: malformed certificate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("certificates")
    void certificateIsSetOnceToPemCertificates(String description, String before, String after, String expected) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode status = body.putObject("status");
        status.putArray("conditions").add(issued("Approved"));
        if (after != null) {
            status.put("certificate", TestCsrs.base64(after));
        }
        assertEquals(expected, outcome(() -> RULES.updateStatus(stored(List.of(issued("Approved")), before), body)));
    }

    @Test
    void certificateThatIsNotBase64IsABadRequest() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("status").put("certificate", "###");
        ApiException e = assertThrows(ApiException.class,
                () -> RULES.updateStatus(stored(List.of(issued("Approved")), null), body));
        assertEquals(400, e.code());
        assertEquals(UNDECODABLE + "illegal base64 data at input byte 0", e.getMessage());
    }

    @Test
    void updateTakesMetadataAndKeepsSpecAndStatus() {
        ObjectNode stored = stored(List.of(issued("Approved")), null);
        ObjectNode body = stored.deepCopy();
        ((ObjectNode) body.get("metadata")).putObject("labels").put("team", "a");
        spec(body).putArray("usages").add("server auth");
        spec(body).put("signerName", "kubernetes.io/legacy-unknown");
        ((ObjectNode) body.get("status")).remove("conditions");
        ObjectNode updated = RULES.update(stored, body);
        assertEquals("a", updated.path("metadata").path("labels").path("team").asText());
        assertEquals(stored.get("spec"), updated.get("spec"));
        assertEquals(stored.get("status"), updated.get("status"));
    }

    @Test
    void updateRefusesMalformedLabels() {
        ObjectNode stored = stored(List.of(), null);
        ObjectNode body = stored.deepCopy();
        ((ObjectNode) body.get("metadata")).putObject("labels").put("team", "not valid");
        String outcome = outcome(() -> RULES.update(stored, body));
        assertTrue(outcome.startsWith("metadata.labels: Invalid value: \"not valid\": a valid label must be"), outcome);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
