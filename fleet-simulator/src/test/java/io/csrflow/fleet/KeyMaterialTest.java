package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.testsupport.Cli;

/** The simulator's CSRs and keys, read back by openssl, an independent client. */
class KeyMaterialTest {
    @TempDir
    Path dir;

    private String openssl(String pem, String... args) throws Exception {
        Path file = Files.createTempFile(dir, "in", ".pem");
        Files.writeString(file, pem);
        String[] command = new String[args.length + 2];
        System.arraycopy(args, 0, command, 0, args.length);
        command[args.length] = "-in";
        command[args.length + 1] = file.toString();
        return Cli.run(dir, null, command);
    }

    @Test
    void aServingRequestCarriesTheNodesSubjectAndAddressesAndVerifies() throws Exception {
        KeyMaterial key = KeyMaterial.ecP256();
        String text = openssl(key.csrPem("system:node:n1", List.of("n1"), List.of("10.244.0.11")),
                "openssl", "req", "-verify", "-noout", "-text");
        assertTrue(text.contains("O=system:nodes, CN=system:node:n1") || text.contains("O = system:nodes, CN = system:node:n1"),
                text);
        assertTrue(text.contains("DNS:n1, IP Address:10.244.0.11"), text);
        assertTrue(text.contains("prime256v1"), text);
        assertFalse(key.rsa());
        assertEquals(List.of("digital signature", "server auth"), CertKind.SERVING.usages(key.rsa()));
    }

    @Test
    void aClientRequestHasNoSansAndTheKeyIsReadableAsPkcs8() throws Exception {
        KeyMaterial key = KeyMaterial.ecP256();
        String text = openssl(key.csrPem("system:node:n2", List.of(), List.of()), "openssl", "req", "-noout", "-text");
        assertFalse(text.contains("Subject Alternative Name"), text);
        assertTrue(key.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(openssl(key.privateKeyPem(), "openssl", "pkey", "-noout", "-text").contains("prime256v1"));
    }

    @Test
    void theWeakKeyIsA1024BitRsaKeyAndAsksForKeyEncipherment() throws Exception {
        KeyMaterial key = KeyMaterial.weakRsa();
        String text = openssl(key.csrPem("system:node:n3", List.of("n3"), List.of()), "openssl", "req", "-verify",
                "-noout", "-text");
        assertTrue(text.contains("(1024 bit)"), text);
        assertEquals("RSA", key.algorithm());
        assertEquals(List.of("digital signature", "key encipherment", "client auth"), CertKind.CLIENT.usages(key.rsa()));
    }

    @Test
    void theKubeletDeadlineFallsBetween70And90PercentOfTheLifetime() throws Exception {
        Path ca = dir.resolve("ca");
        var testCa = io.csrflow.testsupport.TestCa.create(ca, "deadline-ca", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-11T00:00:00Z"));
        HeldCertificate held = HeldCertificate.of(KeyMaterial.ecP256(), Files.readString(testCa.certFile()), "csr-x");
        assertEquals(Instant.parse("2026-01-08T00:00:00Z"), held.kubeletDeadline(0.0));
        assertEquals(Instant.parse("2026-01-09T00:00:00Z"), held.kubeletDeadline(0.5));
        assertTrue(held.kubeletDeadline(0.999999).isBefore(Instant.parse("2026-01-10T00:00:00Z")));
    }
}
