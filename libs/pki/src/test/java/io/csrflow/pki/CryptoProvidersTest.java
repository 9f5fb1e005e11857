package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;

class CryptoProvidersTest {
    @TempDir
    Path dir;

    @Test
    void autoIsTheNativeProviderWhereItLoadsAndBouncyCastleElsewhere() {
        String expected = CryptoProviders.accpProblem() == null ? "AmazonCorrettoCryptoProvider" : "BC";
        assertEquals(expected, CryptoProviders.named("auto", "k").getName());
        assertEquals("BC", CryptoProviders.named("BC", "k").getName());
        assertEquals("SunEC", CryptoProviders.named("SunEC", "k").getName());
    }

    @Test
    void anUnknownProviderIsNamedWithTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CryptoProviders.named("Nope", "csrflow.signer.crypto-provider"));
        assertEquals("csrflow.signer.crypto-provider: no JCA provider named Nope (auto, ACCP, BC or a registered provider)",
                e.getMessage());
    }

    /** The native provider signs what openssl then verifies, for an openssl-made CSR, with an EC CA. */
    @Test
    void theAutoProviderIssuesCertificatesOpensslAccepts() throws Exception {
        var provider = CryptoProviders.named("auto", "k");
        TestCa testCa = TestCa.create(dir.resolve("ca"), "auto-ca", Instant.now().minusSeconds(3600),
                Instant.now().plusSeconds(86_400));
        CertificateAuthority ca = new CaLoader(provider).load(testCa.certFile(), testCa.keyFile());
        ParsedCsr csr = new CsrParser(CsrLimits.defaults(), KeyPolicy.defaults(), provider).parseAndVerify(Cli.opensslCsr(dir, "rsa:2048",
                "/O=system:nodes/CN=system:node:auto-1", "DNS:auto-1", "IP:10.1.2.3"));
        Validity validity = Validity.compute(Instant.now(), 3600, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        CertificateTemplate template = SigningPolicy.template(csr,
                List.of("digital signature", "key encipherment", "server auth"), validity);
        X509Certificate certificate = new CertificateIssuer(provider, new SecureRandom()).issue(template, ca);
        IssuanceCheck.verify(certificate, template, ca, provider);

        Path file = dir.resolve("auto.crt");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        assertEquals(file + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-purpose", "sslserver", "-CAfile",
                testCa.certFile().toString(), file.toString()));
        assertTrue(Cli.run(dir, null, "openssl", "x509", "-in", file.toString(), "-noout", "-text")
                .contains("IP Address:10.1.2.3"));
    }

    /**
     * The post-issuance check holds the CA key as the provider's own object (made once per CA), and
     * still refuses what another CA's key signed: a certificate signed by the previous CA, checked
     * against the next one with the same name, again after its key was cached.
     */
    @Test
    void theIssuanceCheckRefusesWhatAnotherCaKeySignedWithTheProvidersOwnKey() throws Exception {
        var provider = CryptoProviders.named("auto", "k");
        Instant now = Instant.now();
        TestCa previousFiles = TestCa.create(dir.resolve("previous"), "rotating-ca", now.minusSeconds(3600),
                now.plusSeconds(86_400));
        TestCa nextFiles = TestCa.create(dir.resolve("next"), "rotating-ca", now.minusSeconds(3600),
                now.plusSeconds(86_400));
        CertificateAuthority previous = new CaLoader(provider).load(previousFiles.certFile(), previousFiles.keyFile());
        CertificateAuthority next = new CaLoader(provider).load(nextFiles.certFile(), nextFiles.keyFile());
        ParsedCsr csr = new CsrParser(CsrLimits.defaults(), KeyPolicy.defaults(), provider)
                .parseAndVerify(TestCsrs.kubelet("n9").dnsNames("n9").pem());
        Validity validity = Validity.compute(now, 3600, Validity.DEFAULT_MAXIMUM,
                previous.certificate().getNotBefore().toInstant(), previous.certificate().getNotAfter().toInstant());
        CertificateTemplate template = SigningPolicy.template(csr, List.of("digital signature", "server auth"),
                validity);
        CertificateIssuer issuer = new CertificateIssuer(provider, new SecureRandom());

        X509Certificate byNext = issuer.issue(template, next);
        IssuanceCheck.verify(byNext, template, next, provider);
        X509Certificate byPrevious = issuer.issue(template, previous);
        for (int attempt = 0; attempt < 2; attempt++) {
            SigningFailedException e = assertThrows(SigningFailedException.class,
                    () -> IssuanceCheck.verify(byPrevious, template, next, provider));
            assertTrue(e.getMessage().startsWith("issued certificate does not verify with the CA key"), e.getMessage());
        }

        var key = ProviderKeys.of(next.certificate(), provider);
        assertTrue(!key.getClass().getName().startsWith("sun.security."), key.getClass().getName());
        assertTrue(java.util.Arrays.equals(next.certificate().getPublicKey().getEncoded(), key.getEncoded()));
    }
}
