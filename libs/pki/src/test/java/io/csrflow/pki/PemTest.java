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
        assertEquals("not a PEM X.509 certificate: a PEM block begins with '-----BEGIN PRIVATE KEY-----', not "
                + "-----BEGIN CERTIFICATE-----",
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
        assertEquals(MORE_THAN_DER, refusal(block(longer)));
        // The same certificate with its outer length in a longer form than DER's: BER, which the JDK re-encodes.
        byte[] ber = new byte[der.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x83;
        ber[2] = 0;
        System.arraycopy(der, 2, ber, 3, der.length - 2);
        assertEquals(MORE_THAN_DER, refusal(block(ber)));
    }

    @Test
    void nestedIndefiniteLengthsAreRefusedWithoutExhaustingTheStack() {
        byte[] nested = new byte[10_000];
        for (int i = 0; i < nested.length; i += 2) {
            nested[i] = 0x30;
            nested[i + 1] = (byte) 0x80;
        }
        // Given to the JDK's stream reader, this overflowed the stack (a StackOverflowError, not a refusal).
        assertEquals("not a PEM X.509 certificate: a certificate block does not hold a DER SEQUENCE of definite length",
                refusal(block(nested)));
        byte[] inDefinite = new byte[nested.length + 4];
        inDefinite[0] = 0x30;
        inDefinite[1] = (byte) 0x82;
        inDefinite[2] = (byte) (nested.length >> 8);
        inDefinite[3] = (byte) nested.length;
        System.arraycopy(nested, 0, inDefinite, 4, nested.length);
        assertTrue(refusal(block(inDefinite)).startsWith("not a PEM X.509 certificate: "));
    }

    @Test
    void beginAndEndAreLinesOfTheirOwnAsForTheJdkAndGo() throws Exception {
        String a = cert("a", "in-a-comment");
        String b = cert("b", "the-certificate");
        String oneLine = a.replace("\n", "");
        // A block that starts inside a line is text, not a certificate: the leaf is the one clients read.
        assertEquals("CN=the-certificate",
                Pem.firstCertificate("see " + oneLine + "\n" + b).getSubjectX500Principal().getName());
        assertEquals(1, Pem.certificates(b + "# old: " + oneLine + "\n").size());
        assertEquals("not a PEM X.509 certificate: a PEM block begins with '" + oneLine.substring(0, 80)
                + "...', not -----BEGIN CERTIFICATE-----", refusal(oneLine));
        assertEquals("not a PEM X.509 certificate: '-----END CERTIFICATE-----' ends no block",
                refusal("-----END CERTIFICATE-----\n" + b));
    }

    private static final String MORE_THAN_DER = "not a PEM X.509 certificate: a certificate block holds more than the "
            + "certificate's DER encoding (data after it, or a BER encoding)";

    private static String block(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    private String cert(String sub, String cn) throws Exception {
        return Files.readString(TestCa.create(dir.resolve(sub), cn, Instant.now(), Instant.now().plus(Duration.ofDays(1)))
                .certFile());
    }

    private static String refusal(String pem) {
        return assertThrows(IllegalArgumentException.class, () -> Pem.certificates(pem)).getMessage();
    }
}
