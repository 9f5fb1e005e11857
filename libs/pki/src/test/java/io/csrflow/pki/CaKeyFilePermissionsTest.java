package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.testsupport.TestCa;

/** A CA Secret mounted with the pod's fsGroup is group-readable on purpose; only others are a problem. */
class CaKeyFilePermissionsTest {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> warned: {1}")
    @CsvSource({
        "rw-------, false",
        "r--------, false",
        "r--r-----, false",
        "rw-rw----, false",
        "rw-r--r--, true",
        "r--r--r--, true",
        "rw-----w-, true",
    })
    void warnsOnlyWhenOthersMayReadOrWriteTheKeyFile(String mode, boolean warned) throws Exception {
        TestCa files = TestCa.create(dir, "permissions", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        Files.setPosixFilePermissions(files.keyFile(), PosixFilePermissions.fromString(mode));

        CertificateAuthority ca = new CaLoader(new BouncyCastleProvider()).load(files.certFile(), files.keyFile());

        assertEquals(warned ? List.of(files.keyFile() + " is readable or writable by others (" + mode
                + "); use 0600, or 0440 with the pod's fsGroup") : List.of(), ca.warnings());
    }
}
