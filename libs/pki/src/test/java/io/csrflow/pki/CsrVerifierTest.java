package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Supplier;
import java.util.stream.Stream;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.OtherName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.TestCsrs;

class CsrVerifierTest {
    static final String SIGNER = SignerNames.APISERVER_CLIENT;
    static final ASN1ObjectIdentifier UID = new ASN1ObjectIdentifier("1.3.6.1.4.1.57683.2");

    private final CsrVerifier verifier = CsrVerifier.defaults();

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("the UID attribute kube-apiserver reads as the user's uid",
                        (Supplier<String>) () -> TestCsrs.subject("jane", "developers")
                                .rawSubjectAttribute(UID, new DERUTF8String("admin-uid")).pem(), null,
                        CsrRejection.SUBJECT_ATTRIBUTE_NOT_ALLOWED, "the subject carries 1.3.6.1.4.1.57683.2; "
                                + "only CN, O may be certified"),
                Arguments.of("an organizational unit", (Supplier<String>) () -> TestCsrs.kubelet("n1")
                        .rawSubjectAttribute(BCStyle.OU, new DERUTF8String("ops")).pem(), null,
                        CsrRejection.SUBJECT_ATTRIBUTE_NOT_ALLOWED, "the subject carries OU; only CN, O may be certified"),
                Arguments.of("an otherName SAN", (Supplier<String>) () -> TestCsrs.subject("jane").san(new GeneralName(
                        GeneralName.otherName, new OtherName(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"),
                                new DERUTF8String("admin@corp")))).pem(), null,
                        CsrRejection.SAN_TYPE_NOT_ALLOWED, "SANs of type otherName are not allowed; only DNS, IP, "
                                + "email and URI SANs are"),
                Arguments.of("a directoryName SAN", (Supplier<String>) () -> TestCsrs.subject("jane").san(
                        new GeneralName(GeneralName.directoryName, new X500Name("CN=admin,O=system:masters"))).pem(),
                        null, CsrRejection.SAN_TYPE_NOT_ALLOWED, null),
                Arguments.of("a registeredID SAN", (Supplier<String>) () -> TestCsrs.subject("jane").san(
                        new GeneralName(GeneralName.registeredID, new ASN1ObjectIdentifier("1.2.3.4"))).pem(),
                        null, CsrRejection.SAN_TYPE_NOT_ALLOWED, null),
                Arguments.of("system:masters", (Supplier<String>) () -> TestCsrs.subject("jane", "system:masters").pem(),
                        null, CsrRejection.SYSTEM_MASTERS_FORBIDDEN,
                        "certificates for the system:masters group are never issued through CSRs"),
                Arguments.of("a node name with a newline", (Supplier<String>) () -> TestCsrs.kubelet("n1\nx").pem(),
                        null, CsrRejection.INVALID_NODE_NAME, null),
                Arguments.of("expirationSeconds 0", (Supplier<String>) () -> TestCsrs.subject("jane").pem(), 0,
                        CsrRejection.INVALID_EXPIRATION,
                        "spec.expirationSeconds is 0; it may not be less than 600 seconds (10 minutes)"),
                Arguments.of("expirationSeconds 599", (Supplier<String>) () -> TestCsrs.subject("jane").pem(), 599,
                        CsrRejection.INVALID_EXPIRATION, null),
                Arguments.of("expirationSeconds -1", (Supplier<String>) () -> TestCsrs.subject("jane").pem(), -1,
                        CsrRejection.INVALID_EXPIRATION, null),
                Arguments.of("a 16,384-bit RSA key", (Supplier<String>) () -> TestCsrs.subject("jane")
                        .rsaModulusOfBits(16384).pem(), null, CsrRejection.WEAK_KEY, null),
                Arguments.of("no proof of possession", (Supplier<String>) () -> TestCsrs.subject("jane")
                        .signedByAnotherKey().pem(), null, CsrRejection.BAD_SIGNATURE, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesNamingTheRule(String name, Supplier<String> pem, Integer expiration, CsrRejection expected,
            String message) {
        CsrRejectedException e = assertThrows(CsrRejectedException.class,
                () -> verifier.verify(new CsrSpec(SIGNER, pem.get(), expiration)));
        assertEquals(expected, e.rejection(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    void acceptsWhatKubernetesReadsAndTheShortestLifetimeTheApiAllows() throws Exception {
        ParsedCsr csr = verifier.verify(new CsrSpec(SIGNER, TestCsrs.subject("jane", "developers", "qa")
                .dnsNames("jane.example").emails("jane@example.com").uris("spiffe://example/jane")
                .ipAddresses("10.0.0.1").pem(), 600));
        assertEquals("jane", csr.commonName());
        assertEquals(java.util.List.of("O", "O", "CN"), csr.subjectAttributeTypes());
    }

    @Test
    void everyCheckOfTheVerifierRunsBeforeTheSignatureIsVerified() {
        // Signed by another key and carrying the UID attribute: the subject rule answers, so it ran first.
        CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> verifier.verify(new CsrSpec(SIGNER,
                TestCsrs.subject("jane").rawSubjectAttribute(UID, new DERUTF8String("u")).signedByAnotherKey().pem(),
                null)));
        assertEquals(CsrRejection.SUBJECT_ATTRIBUTE_NOT_ALLOWED, e.rejection());
        assertEquals(DERSequence.class, DERSequence.class);
    }
}
