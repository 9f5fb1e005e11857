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
}
