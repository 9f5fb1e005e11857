package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;

class SigningTest {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    static final BouncyCastleProvider BC = new BouncyCastleProvider();

    @TempDir
    static Path dir;
    static CertificateAuthority ca;

    @BeforeAll
    static void loadCa() throws Exception {
        TestCa files = TestCa.create(dir.resolve("ca"), "csrflow-test-ca", NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(3650)));
        ca = new CaLoader(BC).load(files.certFile(), files.keyFile());
    }

    @ParameterizedTest(name = "expirationSeconds={0}, maximum={1} -> notBefore now{2}, notAfter now+{3}")
    @CsvSource({
        "3600, PT8760H, -PT5M, PT1H",
        ", PT8760H, -PT5M, PT8759H55M",
        "600, PT8760H, -PT5M, PT10M",
        "86400, PT1H, -PT5M, PT1H",
        "28800, PT8760H, -PT5M, PT7H55M",
        "28799, PT8760H, -PT5M, PT7H59M59S",
        "600, PT1M, -PT5M, PT10M",
    })
    void validityFollowsKubeControllerManager(Integer expiration, Duration maximum, Duration before, Duration after) {
        Validity validity = Validity.compute(NOW, expiration, maximum, NOW.minusSeconds(86400), NOW.plus(Duration.ofDays(3650)));
        assertEquals(NOW.plus(before), validity.notBefore());
        assertEquals(NOW.plus(after), validity.notAfter());
    }

    @Test
    void validityStopsAtTheCasNotAfter() {
        Instant caEnd = NOW.plus(Duration.ofDays(30));
        assertEquals(caEnd, Validity.compute(NOW, null, Validity.DEFAULT_MAXIMUM, NOW.minusSeconds(60), caEnd).notAfter());
    }

    @Test
    void anExpiredOrNotYetValidCaSignsNothing() {
        SigningFailedException expired = assertThrows(SigningFailedException.class, () -> Validity.compute(NOW, null,
                Validity.DEFAULT_MAXIMUM, NOW.minus(Duration.ofDays(10)), NOW.minusSeconds(1)));
        assertTrue(expired.getMessage().contains("expired"));
        assertThrows(SigningFailedException.class, () -> Validity.compute(NOW, null, Validity.DEFAULT_MAXIMUM,
                NOW.plusSeconds(60), NOW.plus(Duration.ofDays(10))));
    }

    @Test
    void servingCertificateHasTheRequestedNamesAndNothingElseRequested() throws Exception {
        ParsedCsr csr = CsrParser.defaults().parseAndVerify(TestCsrs.kubelet("n1").dnsNames("n1")
                .ipAddresses("10.0.0.1").requestExtension(new Extension(Extension.keyUsage, true,
                        new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign)
                                .getEncoded())).pem());
        Instant now = Instant.now();
        Validity validity = Validity.compute(now, 86400, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        CertificateTemplate template = SigningPolicy.template(csr,
                List.of("digital signature", "key encipherment", "server auth"), validity);
        X509Certificate certificate = new CertificateIssuer(BC, new SecureRandom()).issue(template, ca);

        IssuanceCheck.verify(certificate, template, ca, BC);
        assertEquals(-1, certificate.getBasicConstraints());
        assertTrue(certificate.getSerialNumber().signum() > 0 && certificate.getSerialNumber().bitLength() <= 128);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());

        Path certFile = dir.resolve("n1.crt");
        Files.writeString(certFile, Pem.of(certificate));
        assertEquals(certFile + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-CAfile", ca.certFile().toString(),
                certFile.toString()));
        String text = Cli.run(dir, null, "openssl", "x509", "-in", certFile.toString(), "-noout", "-text");
        for (String expected : List.of("CA:FALSE", "TLS Web Server Authentication", "Digital Signature, Key Encipherment",
                "DNS:n1, IP Address:10.0.0.1", "Subject: O = system:nodes, CN = system:node:n1",
                "Issuer: CN = csrflow-test-ca", "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier")) {
            assertTrue(text.contains(expected), expected + " in\n" + text);
        }
    }

    @Test
    void clientCertificateForAnRsaKeyCarriesClientAuthOnly() throws Exception {
        ParsedCsr csr = CsrParser.defaults().parseAndVerify(TestCsrs.kubelet("n2").rsa(2048).pem());
        Validity validity = Validity.compute(Instant.now(), null, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        CertificateTemplate template = SigningPolicy.template(csr, List.of("digital signature", "client auth"),
                validity);
        X509Certificate certificate = new CertificateIssuer(BC, new SecureRandom()).issue(template, ca);
        IssuanceCheck.verify(certificate, template, ca, BC);
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), certificate.getExtendedKeyUsage());
        assertTrue(certificate.getKeyUsage()[0] && !certificate.getKeyUsage()[2], "digital signature only");
        assertEquals(null, certificate.getSubjectAlternativeNames());
    }

    @Test
    void issuanceCheckRefusesACertificateForAnotherRequest() throws Exception {
        ParsedCsr mine = CsrParser.defaults().parseAndVerify(TestCsrs.kubelet("n3").dnsNames("n3").pem());
        ParsedCsr other = CsrParser.defaults().parseAndVerify(TestCsrs.kubelet("n3").dnsNames("n3").pem());
        Validity validity = Validity.compute(Instant.now(), null, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        List<String> usages = List.of("digital signature", "server auth");
        X509Certificate certificate = new CertificateIssuer(BC, new SecureRandom()).issue(
                SigningPolicy.template(other, usages, validity), ca);
        SigningFailedException e = assertThrows(SigningFailedException.class,
                () -> IssuanceCheck.verify(certificate, SigningPolicy.template(mine, usages, validity), ca, BC));
        assertEquals("issued certificate does not carry the CSR's public key", e.getMessage());
    }

    @Test
    void loadsCaKeysInPkcs1Sec1AndPkcs8() throws Exception {
        Path d = Files.createDirectories(dir.resolve("formats"));
        Cli.run(d, null, "openssl", "genrsa", "-traditional", "-out", "rsa1.key", "2048");
        Cli.run(d, null, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.key");
        Cli.run(d, null, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out",
                "p8.key");
        for (String key : List.of("rsa1.key", "sec1.key", "p8.key")) {
            String header = Files.readAllLines(d.resolve(key)).get(0);
            Cli.run(d, null, "openssl", "req", "-x509", "-new", "-key", key, "-subj", "/CN=ca-" + key, "-days", "30",
                    "-out", key + ".crt");
            CertificateAuthority loaded = new CaLoader(BC).load(d.resolve(key + ".crt"), d.resolve(key));
            assertTrue(loaded.certificate().getSubjectX500Principal().getName().contains("ca-" + key), header);
        }
        assertTrue(Files.readString(d.resolve("rsa1.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertTrue(Files.readString(d.resolve("sec1.key")).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    }

    @Test
    void badCaFilesStopWithAMessageNamingTheFile() throws Exception {
        Path d = Files.createDirectories(dir.resolve("bad"));
        TestCa one = TestCa.create(d.resolve("one"), "one", NOW.minusSeconds(60), NOW.plusSeconds(86400));
        TestCa two = TestCa.create(d.resolve("two"), "two", NOW.minusSeconds(60), NOW.plusSeconds(86400));
        CaLoader loader = new CaLoader(BC);

        CaLoadException mismatch = assertThrows(CaLoadException.class, () -> loader.load(one.certFile(), two.keyFile()));
        assertEquals(two.keyFile() + ": the private key does not belong to the certificate in " + one.certFile(),
                mismatch.getMessage());

        Path bundle = d.resolve("bundle.crt");
        Files.writeString(bundle, Files.readString(one.certFile()) + Files.readString(two.certFile()));
        assertTrue(assertThrows(CaLoadException.class, () -> loader.load(bundle, one.keyFile())).getMessage()
                .startsWith(bundle + ": must hold exactly one PEM certificate"));

        Path missing = d.resolve("missing.key");
        assertTrue(assertThrows(CaLoadException.class, () -> loader.load(one.certFile(), missing)).getMessage()
                .startsWith(missing + ": cannot be read"));

        Files.setPosixFilePermissions(one.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(loader.load(one.certFile(), one.keyFile()).warnings().get(0).contains("readable or writable"));
    }

    @Test
    void theSubjectIsRebuiltFromCommonNameAndOrganizationsOnly() throws Exception {
        // Parsed without the verifier's rules, as if a future code path forgot them: the certificate
        // still carries only O and CN, never the UID attribute kube-apiserver 1.34+ reads as the user's uid.
        ParsedCsr csr = CsrParser.defaults().parse(TestCsrs.kubelet("n4")
                .rawSubjectAttribute(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.57683.2"),
                        new org.bouncycastle.asn1.DERUTF8String("uid-of-the-admin"))
                .rawSubjectAttribute(org.bouncycastle.asn1.x500.style.BCStyle.OU,
                        new org.bouncycastle.asn1.DERUTF8String("ops")).pem());
        X509Certificate certificate = issue(csr, List.of("digital signature", "client auth"));

        org.bouncycastle.asn1.x500.X500Name subject = org.bouncycastle.asn1.x500.X500Name.getInstance(
                certificate.getSubjectX500Principal().getEncoded());
        assertEquals("O=system:nodes,CN=system:node:n4", subject.toString());
        assertEquals(2, subject.getRDNs().length);
    }

    @Test
    void sansAreRebuiltFromTheFourStandardTypesOnly() throws Exception {
        ParsedCsr csr = CsrParser.defaults().parse(TestCsrs.kubelet("n5").dnsNames("n5").ipAddresses("10.0.0.5")
                .san(new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.directoryName,
                        new org.bouncycastle.asn1.x500.X500Name("CN=admin,O=system:masters"))).pem());
        assertEquals(List.of("directoryName"), csr.sans().others());
        X509Certificate certificate = issue(csr, List.of("digital signature", "server auth"));

        var names = certificate.getSubjectAlternativeNames();
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.stream().allMatch(n -> (Integer) n.get(0) == 2 || (Integer) n.get(0) == 7), names.toString());
    }

    @Test
    void theAuthorityKeyIdentifierNamesTheKeyOnlySoAReissuedCaStillVerifiesOldLeaves() throws Exception {
        Path d = Files.createDirectories(dir.resolve("reissued"));
        Cli.run(d, null, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key");
        Cli.run(d, null, "openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=reissued-ca", "-days",
                "30", "-set_serial", "1", "-out", "ca-1.crt");
        CertificateAuthority first = new CaLoader(BC).load(d.resolve("ca-1.crt"), d.resolve("ca.key"));
        X509Certificate leaf = issue(CsrParser.defaults().parse(TestCsrs.kubelet("n6").pem()),
                List.of("digital signature", "client auth"), first);
        Files.writeString(d.resolve("leaf.crt"), Pem.of(leaf));
        // The same key and name, a new certificate (new serial and dates), as an operator renews a CA.
        Cli.run(d, null, "openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=reissued-ca", "-days",
                "60", "-set_serial", "2", "-out", "ca-2.crt");

        assertEquals(d.resolve("leaf.crt") + ": OK\n", Cli.run(d, null, "openssl", "verify", "-CAfile",
                d.resolve("ca-2.crt").toString(), d.resolve("leaf.crt").toString()));
        String text = Cli.run(d, null, "openssl", "x509", "-in", "leaf.crt", "-noout", "-ext", "authorityKeyIdentifier");
        assertTrue(!text.contains("DirName") && !text.contains("serial"), text);
    }

    @Test
    void issuanceCheckRefusesASubjectOtherThanTheIntendedOne() throws Exception {
        ParsedCsr csr = CsrParser.defaults().parse(TestCsrs.kubelet("n7").pem());
        Validity validity = validity();
        List<String> usages = List.of("digital signature", "client auth");
        CertificateTemplate intended = SigningPolicy.template(csr, usages, validity);
        CertificateTemplate other = new CertificateTemplate(new org.bouncycastle.asn1.x500.X500Name(
                "CN=system:node:n7,O=system:nodes,OU=extra"), intended.commonName(), intended.organizations(),
                intended.publicKey(), null, intended.keyUsageBits(), intended.extendedKeyUsages(), validity);
        X509Certificate certificate = new CertificateIssuer(BC, new SecureRandom()).issue(other, ca);
        SigningFailedException e = assertThrows(SigningFailedException.class,
                () -> IssuanceCheck.verify(certificate, intended, ca, BC));
        assertEquals("issued certificate's subject differs from the intended one", e.getMessage());
    }

    @Test
    void issuanceCheckRefusesAKeyUsageOtherThanTheIntendedOne() throws Exception {
        ParsedCsr csr = CsrParser.defaults().parse(TestCsrs.kubelet("n7").pem());
        Validity validity = validity();
        CertificateTemplate intended = SigningPolicy.template(csr, List.of("digital signature", "client auth"), validity);
        CertificateTemplate certSign = new CertificateTemplate(intended.subject(), intended.commonName(),
                intended.organizations(), intended.publicKey(), null, org.bouncycastle.asn1.x509.KeyUsage.keyCertSign
                        | intended.keyUsageBits(), intended.extendedKeyUsages(), validity);
        SigningFailedException e = assertThrows(SigningFailedException.class, () -> IssuanceCheck.verify(
                new CertificateIssuer(BC, new SecureRandom()).issue(certSign, ca), intended, ca, BC));
        assertEquals("issued certificate's key usage differs from the intended one", e.getMessage());

        CertificateTemplate serverAuth = new CertificateTemplate(intended.subject(), intended.commonName(),
                intended.organizations(), intended.publicKey(), null, intended.keyUsageBits(),
                List.of(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth), validity);
        e = assertThrows(SigningFailedException.class, () -> IssuanceCheck.verify(
                new CertificateIssuer(BC, new SecureRandom()).issue(serverAuth, ca), intended, ca, BC));
        assertEquals("issued certificate's extended key usage differs from the intended one", e.getMessage());
    }

    @ParameterizedTest(name = "O={0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\\system:masters", "#0c0e73797374656d3a6d617374657273",
            "#zz", "\\#41"})
    void valuesThatLookLikeEscapesOrHexAreCertifiedLiterallyNeverDecoded(String organization) throws Exception {
        // Bouncy Castle's string form of a name value would read "#..." as hex DER and drop a leading
        // backslash: O=\system:masters would have become O=system:masters.
        ParsedCsr csr = CsrVerifier.defaults().verify(new CsrSpec(SignerNames.APISERVER_CLIENT,
                TestCsrs.subject("alice", organization).pem(), null));
        X509Certificate certificate = issue(csr, List.of("digital signature", "client auth"));

        org.bouncycastle.asn1.x500.X500Name subject = org.bouncycastle.asn1.x500.X500Name.getInstance(
                certificate.getSubjectX500Principal().getEncoded());
        var o = subject.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.O)[0].getFirst().getValue();
        assertEquals(organization, ((org.bouncycastle.asn1.ASN1String) o).getString());
    }

    private static Validity validity() {
        return Validity.compute(Instant.now(), null, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
    }

    private static X509Certificate issue(ParsedCsr csr, List<String> usages) {
        return issue(csr, usages, ca);
    }

    private static X509Certificate issue(ParsedCsr csr, List<String> usages, CertificateAuthority authority) {
        Validity validity = Validity.compute(Instant.now(), null, Validity.DEFAULT_MAXIMUM,
                authority.certificate().getNotBefore().toInstant(), authority.certificate().getNotAfter().toInstant());
        CertificateTemplate template = SigningPolicy.template(csr, usages, validity);
        X509Certificate certificate = new CertificateIssuer(BC, new SecureRandom()).issue(template, authority);
        IssuanceCheck.verify(certificate, template, authority, BC);
        return certificate;
    }
}
