package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCsrs;

class CsrParserTest {
    @TempDir
    static Path dir;

    private final CsrParser parser = CsrParser.defaults();

    @Test
    void readsSubjectSansAndKeyOfABouncyCastleCsr() throws Exception {
        ParsedCsr csr = parser.parseAndVerify(TestCsrs.kubelet("worker-1").dnsNames("worker-1", "worker-1.lan")
                .ipAddresses("10.0.0.1", "fd00::1").pem());

        assertEquals("system:node:worker-1", csr.commonName());
        assertEquals(List.of("system:nodes"), csr.organizations());
        assertEquals(List.of("worker-1", "worker-1.lan"), csr.sans().dnsNames());
        assertEquals(List.of("10.0.0.1", "fd00:0:0:0:0:0:0:1"), csr.sans().ipAddresses());
        assertEquals(new KeyDescription("EC", 256, "P-256", null), csr.key());
        assertEquals(List.of(Extension.subjectAlternativeName.getId()), csr.requestedExtensions());
    }

    @Test
    void acceptsCsrsMadeByOpenssl() throws Exception {
        ParsedCsr ec = parser.parseAndVerify(Cli.opensslCsr(dir, "ec", "/O=system:nodes/CN=system:node:o1",
                "DNS:o1", "IP:10.1.1.1"));
        assertEquals("system:node:o1", ec.commonName());
        assertEquals(List.of("10.1.1.1"), ec.sans().ipAddresses());

        ParsedCsr rsa = parser.parseAndVerify(Cli.opensslCsr(dir, "rsa:2048", "/O=system:nodes/CN=system:node:o2"));
        assertEquals("RSA", rsa.key().algorithm());
        assertEquals(2048, rsa.key().bits());
    }

    @Test
    void acceptsCsrsMadeByCfssl() throws Exception {
        ParsedCsr ec = parser.parseAndVerify(Cli.cfsslCsr(dir, "system:node:c1", "system:nodes", "ecdsa", 256,
                "c1.example", "192.168.5.1"));
        assertEquals("system:node:c1", ec.commonName());
        assertEquals(List.of("c1.example"), ec.sans().dnsNames());
        assertEquals(List.of("192.168.5.1"), ec.sans().ipAddresses());

        ParsedCsr rsa = parser.parseAndVerify(Cli.cfsslCsr(dir, "system:node:c2", "system:nodes", "rsa", 2048));
        assertEquals(2048, rsa.key().bits());
    }

    static Stream<Arguments> rejected() {
        String valid = TestCsrs.kubelet("r").pem();
        String body = valid.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        return Stream.of(
                Arguments.of("not PEM at all", (Supplier<String>) () -> "hello", CsrRejection.NOT_PEM),
                Arguments.of("a certificate instead", (Supplier<String>) () -> valid.replace("CERTIFICATE REQUEST",
                        "CERTIFICATE"), CsrRejection.NOT_PEM),
                Arguments.of("two PEM blocks", (Supplier<String>) () -> valid + valid, CsrRejection.NOT_PEM),
                Arguments.of("over 64 KiB", (Supplier<String>) () -> valid + "x".repeat(70_000), CsrRejection.TOO_LARGE),
                Arguments.of("truncated DER", (Supplier<String>) () -> pem(java.util.Arrays.copyOf(der, der.length - 20)),
                        CsrRejection.MALFORMED),
                Arguments.of("DER nested 100 deep", (Supplier<String>) () -> pem(io.csrflow.testsupport.HostileCsrs.nested(100)), CsrRejection.MALFORMED),
                Arguments.of("signed by another key", (Supplier<String>) () -> TestCsrs.kubelet("x")
                        .signedByAnotherKey().pem(), CsrRejection.BAD_SIGNATURE),
                Arguments.of("101 SANs", (Supplier<String>) () -> TestCsrs.kubelet("x").dnsNames(
                        java.util.stream.IntStream.range(0, 101).mapToObj(i -> "n" + i).toArray(String[]::new)).pem(),
                        CsrRejection.TOO_MANY_SANS),
                Arguments.of("two common names", (Supplier<String>) () -> TestCsrs.kubelet("x")
                        .anotherCommonName("system:node:y").pem(), CsrRejection.MALFORMED),
                Arguments.of("control character in a DNS SAN", (Supplier<String>) () -> TestCsrs.kubelet("x")
                        .dnsNames("evil\u0007.example").pem(), CsrRejection.INVALID_SAN),
                Arguments.of("secp256k1 key: the key policy speaks before any key object is built",
                        (Supplier<String>) () -> TestCsrs.kubelet("x").ec("secp256k1").pem(), CsrRejection.WEAK_KEY),
                Arguments.of("brainpoolP256r1: a curve it does not know", (Supplier<String>) () -> TestCsrs.kubelet("x")
                        .ec("brainpoolP256r1").pem(), CsrRejection.UNSUPPORTED_KEY),
                Arguments.of("a DNS SAN of 254 characters", (Supplier<String>) () -> TestCsrs.kubelet("x")
                        .dnsNames(("a".repeat(62) + ".").repeat(4) + "ab").pem(), CsrRejection.INVALID_SAN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheSpecificReason(String name, Supplier<String> pem, CsrRejection expected) throws Exception {
        CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> parser.parseAndVerify(pem.get()));
        assertEquals(expected, e.rejection(), e.getMessage());
        assertTrue(!e.getMessage().isBlank());
    }

    @Test
    void reportsRequestedExtensionsAndRefusesCaTrue() throws Exception {
        ParsedCsr csr = parser.parseAndVerify(TestCsrs.kubelet("ee").requestExtension(
                new Extension(Extension.basicConstraints, true, new BasicConstraints(false).getEncoded())).pem());
        assertTrue(csr.requestedExtensions().contains(Extension.basicConstraints.getId()));

        CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> parser.parseAndVerify(
                TestCsrs.kubelet("ca").requestExtension(new Extension(Extension.basicConstraints, true,
                        new BasicConstraints(true).getEncoded())).pem()));
        assertEquals(CsrRejection.CA_REQUESTED, e.rejection());
        assertEquals("CARequested", e.rejection().reason());
    }

    @Test
    void escapesControlCharactersForMessages() {
        assertEquals("a\\x0ab\\x1b", CsrParser.escape("a\nb\u001b"));
    }

    @Test
    void aHugeRsaKeyIsRefusedFromItsEncodingBeforeAnyKeyObjectIsBuilt() throws Exception {
        // Bouncy Castle's KeyFactory validates an RSA modulus (primality tests): costly for 16,384 bits.
        String pem = io.csrflow.testsupport.HostileCsrs.rsa16384Pem();
        long started = System.nanoTime();
        CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> parser.parseAndVerify(pem));
        long refused = System.nanoTime() - started;
        assertEquals(CsrRejection.WEAK_KEY, e.rejection());
        assertEquals("RSA key of 16384 bits; 2048 to 4096 are accepted", e.getMessage());
        // For comparison, printed and not asserted: what building the key object alone costs.
        var spki = new org.bouncycastle.pkcs.PKCS10CertificationRequest(java.util.Base64.getMimeDecoder().decode(
                pem.replaceAll("-----[A-Z ]+-----", ""))).getSubjectPublicKeyInfo();
        started = System.nanoTime();
        java.security.KeyFactory.getInstance("RSA", new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .generatePublic(new java.security.spec.X509EncodedKeySpec(spki.getEncoded()));
        long keyFactory = System.nanoTime() - started;
        System.out.printf("RSA-16384 CSR refused by the Bouncy Castle parser in %.2f ms; a Bouncy Castle KeyFactory "
                + "alone takes %.2f ms for that key%n", refused / 1e6, keyFactory / 1e6);
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
