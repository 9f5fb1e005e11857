package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.testsupport.TestCa;

class PemTest {
    @TempDir
    Path dir;

    @Test
    void theFirstCertificateOfAChainIsTheLeaf() throws Exception {
        String leaf = Files.readString(TestCa.create(dir.resolve("a"), "leaf", Instant.now(),
                Instant.now().plus(Duration.ofDays(1))).certFile());
        String next = Files.readString(TestCa.create(dir.resolve("b"), "next", Instant.now(),
                Instant.now().plus(Duration.ofDays(1))).certFile());
        assertEquals("CN=leaf", Pem.firstCertificate(leaf + next).getSubjectX500Principal().getName());
    }

    @Test
    void textWithoutACertificateIsRefusedSayingWhy() {
        assertEquals("no certificate: the text is empty",
                assertThrows(IllegalArgumentException.class, () -> Pem.firstCertificate(" ")).getMessage());
        for (String text : List.of("hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")) {
            String message = assertThrows(IllegalArgumentException.class, () -> Pem.firstCertificate(text)).getMessage();
            assertTrue(message.startsWith("not a PEM X.509 certificate: "), message);
        }
    }

    @Test
    void aBundleMayHaveTextBetweenBlocksAndCrlfLineEnds() throws Exception {
        String a = cert("a", "first");
        String b = cert("b", "second").replace("\n", "\r\n");
        List<java.security.cert.X509Certificate> both = Pem.certificates("# the current CA\n" + a + "\n# the next\n" + b);
        assertEquals(List.of("CN=first", "CN=second"),
                both.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
    }

    @Test
    void everyBlockMustBeACertificateNotOnlyTheFirst() throws Exception {
        String leaf = cert("a", "leaf");
        assertEquals("not a PEM X.509 certificate: a PEM block is labelled 'PRIVATE KEY', not CERTIFICATE",
                refusal(leaf + "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"));
        String broken = refusal(leaf + "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertTrue(broken.startsWith("not a PEM X.509 certificate: "), broken);
    }

    @Test
    void aBlockIsReadStrictlyNotSkippingWhatDoesNotBelong() throws Exception {
        String leaf = cert("a", "leaf");
        String body = leaf.substring(leaf.indexOf('\n') + 1, leaf.indexOf("-----END"));
        // A lenient (MIME) decoder would skip the stray characters and return the certificate.
        assertEquals("not a PEM X.509 certificate: a certificate block is not base64: Illegal base64 character 2e",
                refusal("-----BEGIN CERTIFICATE-----\n" + body.substring(0, 10) + "..." + body.substring(10)
                        + "-----END CERTIFICATE-----\n"));
        assertEquals("not a PEM X.509 certificate: a certificate block has no -----END CERTIFICATE----- line",
                refusal("-----BEGIN CERTIFICATE-----\n" + body));
        assertEquals("not a PEM X.509 certificate: a certificate block is empty",
                refusal("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"));
        byte[] der = Pem.firstCertificate(leaf).getEncoded();
        byte[] longer = java.util.Arrays.copyOf(der, der.length + 2);
        assertEquals("not a PEM X.509 certificate: data follows the certificate inside its PEM block",
                refusal("-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(longer)
                        + "\n-----END CERTIFICATE-----\n"));
    }

    private String cert(String sub, String cn) throws Exception {
        return Files.readString(TestCa.create(dir.resolve(sub), cn, Instant.now(), Instant.now().plus(Duration.ofDays(1)))
                .certFile());
    }

    private static String refusal(String pem) {
        return assertThrows(IllegalArgumentException.class, () -> Pem.certificates(pem)).getMessage();
    }
}
