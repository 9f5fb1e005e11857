package io.csrflow.signer.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.Pem;
import io.csrflow.pki.RotationDeadline;
import io.csrflow.pki.SignerProfile;
import io.csrflow.pki.SigningFailedException;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCa;

/**
 * The certificates {@link PodCertificateMint} makes, read by openssl: the pod's identity and names,
 * its key, and times that pass the API's status rules.
 */
class PodCertificateMintTest {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final SignerProfile PROFILE = SignerProfile.of(List.of("server", "client"), List.of("dns"), 10,
            true, Duration.ofHours(24));

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} key, {1} s")
    @CsvSource({"EC, 3600", "Ed25519, 86400", "RSA, 7200"})
    void certificatesTheKeyWithTheIdentityAndTimesTheApiAccepts(String algorithm, long seconds) throws Exception {
        CertificateAuthority ca = ca(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else if (algorithm.equals("RSA")) {
            generator.initialize(3072);
        }
        byte[] spki = generator.generateKeyPair().getPublic().getEncoded();
        PodAnswer.Issue issue = new PodAnswer.Issue("spiffe://cluster.local/ns/shop/sa/web",
                List.of("web.shop.svc.cluster.local", "web.shop.svc"), Duration.ofSeconds(seconds), "note");
        PodCertificateMint.Minted minted = mint().mint(issue, Base64.getEncoder().encodeToString(spki), PROFILE, ca, NOW);
        X509Certificate leaf = minted.certificate();

        assertEquals(NOW.minus(Duration.ofMinutes(1)), minted.notBefore(), "within the API's five minutes of now");
        assertEquals(minted.notBefore(), leaf.getNotBefore().toInstant());
        assertEquals(minted.notAfter(), leaf.getNotAfter().toInstant());
        assertEquals(Duration.ofSeconds(seconds), Duration.between(minted.notBefore(), minted.notAfter()));
        assertFalse(minted.beginRefreshAt().isBefore(minted.notBefore().plus(Duration.ofMinutes(10))));
        assertFalse(minted.beginRefreshAt().isAfter(minted.notAfter().minus(Duration.ofMinutes(10))));
        Instant deadline = RotationDeadline.of(leaf.getSerialNumber().toString(16), minted.notBefore(),
                minted.notAfter()).truncatedTo(ChronoUnit.SECONDS);
        if (seconds > 3600) {
            assertEquals(deadline, minted.beginRefreshAt(), "the kubelet's jittered deadline, as the scheduler's");
        }
        assertTrue(Arrays.equals(spki, leaf.getPublicKey().getEncoded()), "the requested key");

        Path leafFile = Files.writeString(dir.resolve("leaf.pem"), Pem.of(leaf));
        String text = Cli.run(dir, null, "openssl", "x509", "-in", leafFile.toString(), "-noout", "-subject", "-ext",
                "subjectAltName,keyUsage,extendedKeyUsage");
        assertTrue(text.contains("subject=\n") || text.matches("(?s)subject=\\s*\\n.*"), text);
        assertTrue(text.contains("critical"), "an empty subject makes the SANs critical: " + text);
        assertTrue(text.contains("URI:spiffe://cluster.local/ns/shop/sa/web"), text);
        assertTrue(text.contains("DNS:web.shop.svc.cluster.local, DNS:web.shop.svc"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertEquals(algorithm.equals("RSA"), text.contains("Key Encipherment"), text);
        String verified = Cli.run(dir, null, "openssl", "verify", "-CAfile", ca.certFile().toString(),
                leafFile.toString());
        assertTrue(verified.contains(": OK"), verified);
    }

    @ParameterizedTest(name = "CA until now + {0} min")
    @CsvSource({"30", "-5"})
    void aCaThatCannotGiveAnHourFails(long minutes) throws Exception {
        CertificateAuthority ca = ca(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofMinutes(minutes)));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        PodAnswer.Issue issue = new PodAnswer.Issue("spiffe://cluster.local/ns/shop/sa/web", List.of(),
                Duration.ofHours(1), "note");
        SigningFailedException e = assertThrows(SigningFailedException.class, () -> mint().mint(issue,
                Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded()), PROFILE, ca,
                NOW));
        assertEquals(SigningFailedException.Reason.CA_UNUSABLE, e.reason(), e.getMessage());
    }

    private CertificateAuthority ca(Instant notBefore, Instant notAfter) throws Exception {
        TestCa files = TestCa.create(dir.resolve("ca-" + notAfter.getEpochSecond()), "pods", notBefore, notAfter);
        return new CaLoader(BC).load(files.certFile(), files.keyFile());
    }

    private static PodCertificateMint mint() {
        return new PodCertificateMint(new CertificateIssuer(BC, new SecureRandom()));
    }
}
