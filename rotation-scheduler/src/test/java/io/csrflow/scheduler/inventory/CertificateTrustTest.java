package io.csrflow.scheduler.inventory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.pki.SignerNames;
import io.csrflow.scheduler.streams.TestCertificates;

/** Which certificate is believed, rejected, or left for later, for each state of the trust bundle. */
class CertificateTrustTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final X509Certificate GENUINE = TestCertificates.certificate("system:node:w1", "0a", T0,
            T0.plusSeconds(86_400));
    static final X509Certificate FORGED = TestCertificates.forged("system:node:w1", "0b", T0, T0.plusSeconds(86_400));
    static final BouncyCastleProvider BC = new BouncyCastleProvider();

    enum Bundle {
        NOT_CONFIGURED, MISSING, EMPTY, UNREADABLE_FOO, CLIENT_ONLY, ONE_CA_FOR_ALL, WORKLOAD_SIGNER;

        CertificateTrust at(Path dir) throws IOException {
            switch (this) {
                case NOT_CONFIGURED -> {
                    return CertificateTrust.NONE;
                }
                case MISSING -> dir = dir.resolve("not-mounted");
                case EMPTY -> {
                    // a ConfigMap volume's own entries are not signer files
                    Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.1"));
                }
                case UNREADABLE_FOO -> Files.writeString(dir.resolve("example.com_foo.crt"), "not a certificate");
                case CLIENT_ONLY -> TestCertificates.writeTrustBundle(dir);
                case ONE_CA_FOR_ALL -> {
                    TestCertificates.writeTrustBundle(dir);
                    Files.copy(dir.resolve(TestCertificates.CLIENT_BUNDLE_FILE), dir.resolve("kubelet-serving.crt"));
                }
                case WORKLOAD_SIGNER -> {
                    // a signer of csrflow's own, published under its full name as the signer writes it
                    TestCertificates.writeTrustBundle(dir);
                    Files.move(dir.resolve(TestCertificates.CLIENT_BUNDLE_FILE),
                            dir.resolve("csrflow.io_workload-serving.crt"));
                }
            }
            return CertificateTrust.fromDirectory(dir, BC);
        }
    }

    enum Outcome { BELIEVED, REJECTED, UNAVAILABLE }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(Bundle.NOT_CONFIGURED, SignerNames.KUBELET_CLIENT, FORGED, Outcome.BELIEVED, null),
                Arguments.of(Bundle.MISSING, SignerNames.KUBELET_CLIENT, GENUINE, Outcome.UNAVAILABLE, "does not exist"),
                Arguments.of(Bundle.MISSING, SignerNames.KUBELET_CLIENT, FORGED, Outcome.UNAVAILABLE, "does not exist"),
                Arguments.of(Bundle.MISSING, SignerNames.LEGACY_UNKNOWN, GENUINE, Outcome.UNAVAILABLE, "does not exist"),
                Arguments.of(Bundle.MISSING, "example.com/foo", FORGED, Outcome.BELIEVED, null),
                Arguments.of(Bundle.EMPTY, SignerNames.KUBELET_SERVING, GENUINE, Outcome.UNAVAILABLE,
                        "holds no readable CA certificate"),
                Arguments.of(Bundle.EMPTY, "example.com/foo", FORGED, Outcome.BELIEVED, null),
                Arguments.of(Bundle.UNREADABLE_FOO, SignerNames.APISERVER_CLIENT, GENUINE, Outcome.UNAVAILABLE,
                        "has unreadable files: example.com_foo.crt"),
                // a signer csrflow does not know, but with a file: protected like csrflow's own
                Arguments.of(Bundle.UNREADABLE_FOO, "example.com/foo", GENUINE, Outcome.UNAVAILABLE,
                        "has unreadable files: example.com_foo.crt"),
                Arguments.of(Bundle.UNREADABLE_FOO, "example.com/bar", FORGED, Outcome.BELIEVED, null),
                Arguments.of(Bundle.CLIENT_ONLY, SignerNames.KUBELET_CLIENT, GENUINE, Outcome.BELIEVED, null),
                // one CA for every signer: a genuine client certificate is no serving certificate
                Arguments.of(Bundle.ONE_CA_FOR_ALL, SignerNames.KUBELET_SERVING, GENUINE, Outcome.REJECTED,
                        "does not carry the extended key usage 1.3.6.1.5.5.7.3.1"),
                Arguments.of(Bundle.CLIENT_ONLY, SignerNames.KUBELET_CLIENT, FORGED, Outcome.REJECTED,
                        "is not signed by a CA in the trust bundle"),
                Arguments.of(Bundle.CLIENT_ONLY, SignerNames.KUBELET_SERVING, GENUINE, Outcome.REJECTED,
                        "has no kubelet-serving.crt"),
                Arguments.of(Bundle.CLIENT_ONLY, SignerNames.APISERVER_CLIENT, GENUINE, Outcome.REJECTED,
                        "has no kube-apiserver-client.crt"),
                Arguments.of(Bundle.CLIENT_ONLY, SignerNames.LEGACY_UNKNOWN, GENUINE, Outcome.REJECTED,
                        "has no legacy-unknown.crt"),
                Arguments.of(Bundle.CLIENT_ONLY, "example.com/foo", FORGED, Outcome.BELIEVED, null),
                Arguments.of(Bundle.WORKLOAD_SIGNER, "csrflow.io/workload-serving", GENUINE, Outcome.BELIEVED, null),
                Arguments.of(Bundle.WORKLOAD_SIGNER, "csrflow.io/workload-serving", FORGED, Outcome.REJECTED,
                        "is not signed by a CA in the trust bundle"),
                // the same path under another domain is another signer, with no file of its own
                Arguments.of(Bundle.WORKLOAD_SIGNER, "example.org/workload-serving", FORGED, Outcome.BELIEVED, null));
    }

    @ParameterizedTest(name = "{0}: {1} {3}")
    @MethodSource("table")
    void decidesByTheBundle(Bundle bundle, String signer, X509Certificate certificate, Outcome expected,
            String reason, @TempDir Path dir) throws IOException {
        CertificateTrust trust = bundle.at(dir);
        switch (expected) {
            case BELIEVED -> assertDoesNotThrow(() -> trust.check(signer, certificate));
            case REJECTED -> {
                var e = assertThrows(IllegalArgumentException.class, () -> trust.check(signer, certificate));
                assertTrue(e.getMessage().startsWith("certificate " + certificate.getSerialNumber().toString(16)
                        + " of " + signer + " ") && e.getMessage().contains(reason), e.getMessage());
            }
            case UNAVAILABLE -> {
                var e = assertThrows(TrustUnavailableException.class, () -> trust.check(signer, certificate));
                assertTrue(e.getMessage().contains(reason), e.getMessage());
                assertTrue(trust.problem().contains(reason), trust.problem());
            }
        }
    }

    @Test
    void aBundleThatArrivesIsUsedForTheNextCertificateWithoutARestart(@TempDir Path dir) {
        Path mount = dir.resolve("trust");
        CertificateTrust trust = CertificateTrust.fromDirectory(mount, BC);
        assertThrows(TrustUnavailableException.class, () -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));

        TestCertificates.writeTrustBundle(mount);
        assertDoesNotThrow(() -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));
        assertNull(trust.problem());
        assertTrue(trust.describe().contains(TestCertificates.CLIENT_BUNDLE_FILE + " (1 CA)"), trust.describe());
    }

    @Test
    void aFileThatTurnsUnreadableKeepsItsLastGoodCopy(@TempDir Path dir) throws IOException {
        CertificateTrust trust = CertificateTrust.fromDirectory(TestCertificates.writeTrustBundle(dir), BC);
        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);

        Files.writeString(dir.resolve(TestCertificates.CLIENT_BUNDLE_FILE), "half written");
        assertDoesNotThrow(() -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));
        assertThrows(IllegalArgumentException.class, () -> trust.check(SignerNames.KUBELET_CLIENT, FORGED));
        assertNull(trust.problem());
    }

    /**
     * A CA hidden after a lone CR, which the JDK's PEM reader takes as a line end and the signer's reader
     * (libs/pki Pem) does not: the signer, which writes its ConfigMap again when it holds other than its
     * CAs, could not see this one, so it is not believed here either.
     */
    @Test
    void aCaHiddenBehindALoneCarriageReturnIsNotBelieved(@TempDir Path dir) throws IOException {
        List<X509Certificate> foreign = TestCertificates.foreignCaAndCertificate("system:node:w1", "0e", T0,
                T0.plusSeconds(86_400));
        TestCertificates.writeTrustBundle(dir);
        Path file = dir.resolve(TestCertificates.CLIENT_BUNDLE_FILE);
        String hidden = "note\r" + io.csrflow.pki.Pem.of(foreign.get(0)).replace("\n", "\r");
        Files.writeString(file, Files.readString(file) + hidden + "\n");
        CertificateTrust trust = CertificateTrust.fromDirectory(dir, BC);

        assertDoesNotThrow(() -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));
        var e = assertThrows(IllegalArgumentException.class, () -> trust.check(SignerNames.KUBELET_CLIENT,
                foreign.get(1)));
        assertTrue(e.getMessage().contains("is not signed by a CA in the trust bundle"), e.getMessage());
    }

    @Test
    void aCertificateSeenAgainIsBelievedWithoutVerifyingItsSignatureAgain(@TempDir Path dir) {
        CertificateTrust trust = CertificateTrust.fromDirectory(TestCertificates.writeTrustBundle(dir), BC);

        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);
        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);
        for (int i = 0; i < 2; i++) {
            assertThrows(IllegalArgumentException.class, () -> trust.check(SignerNames.KUBELET_CLIENT, FORGED));
        }

        assertEquals(1, trust.signaturesVerified());
        assertEquals(1, trust.signaturesRemembered());
    }

    /** What a certificate was remembered by must still be in the bundle: a removed CA vouches for nothing. */
    @Test
    void aRememberedCertificateIsRefusedOnceItsCaIsReplacedInTheBundle(@TempDir Path dir) throws Exception {
        CertificateTrust trust = CertificateTrust.fromDirectory(TestCertificates.writeTrustBundle(dir), BC);
        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);

        // A reading of the directory answers "yes" for up to a second (and a file is known by its
        // modification time): past it, the new CA decides.
        Thread.sleep(1_200);
        TestCertificates.writeTrustBundleOfAnotherKey(dir);

        var e = assertThrows(IllegalArgumentException.class, () -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));
        assertTrue(e.getMessage().contains("is not signed by a CA in the trust bundle"), e.getMessage());
        assertEquals(0, trust.signaturesRemembered());
    }

    /** ... and in the file of the signer the certificate is checked for, not only somewhere in the bundle. */
    @Test
    void aRememberedCertificateIsRefusedForASignerWhoseFileNoLongerHoldsItsCa(@TempDir Path dir) throws Exception {
        Bundle.ONE_CA_FOR_ALL.at(dir);
        Path servingFile = dir.resolve("kubelet-serving.crt");
        Files.move(servingFile, dir.resolve("kube-apiserver-client.crt"));
        CertificateTrust trust = CertificateTrust.fromDirectory(dir, BC);
        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);
        trust.check(SignerNames.APISERVER_CLIENT, GENUINE);

        Thread.sleep(1_200);
        TestCertificates.writeTrustBundleOfAnotherKey(dir);

        assertThrows(IllegalArgumentException.class, () -> trust.check(SignerNames.KUBELET_CLIENT, GENUINE));
        assertDoesNotThrow(() -> trust.check(SignerNames.APISERVER_CLIENT, GENUINE));
        assertEquals(1, trust.signaturesVerified());
        assertEquals(2, trust.signaturesRemembered());
    }

    @Test
    void theLeastRecentlySeenCertificateIsForgottenFirst(@TempDir Path dir) {
        X509Certificate b = TestCertificates.certificate("system:node:w2", "0c", T0, T0.plusSeconds(86_400));
        X509Certificate c = TestCertificates.certificate("system:node:w3", "0d", T0, T0.plusSeconds(86_400));
        CertificateTrust trust = CertificateTrust.fromDirectory(TestCertificates.writeTrustBundle(dir), BC, 2);

        // GENUINE is seen again before c comes, so b is the one forgotten.
        for (X509Certificate certificate : List.of(GENUINE, b, GENUINE, c, GENUINE)) {
            trust.check(SignerNames.KUBELET_CLIENT, certificate);
        }

        assertEquals(3, trust.signaturesVerified());
        assertEquals(2, trust.signaturesRemembered());
    }

    @Test
    void aCertificateOfTheSecondCaOfARotationIsRememberedWithIt(@TempDir Path dir) {
        CertificateTrust trust = CertificateTrust.fromDirectory(TestCertificates.writeRotationTrustBundle(dir), BC);

        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);
        trust.check(SignerNames.KUBELET_CLIENT, GENUINE);

        assertTrue(trust.describe().contains(TestCertificates.CLIENT_BUNDLE_FILE + " (2 CA)"), trust.describe());
        assertEquals(1, trust.signaturesVerified());
        assertEquals(1, trust.signaturesRemembered());
    }

    @Test
    void withoutABundleEverythingIsBelievedAndReadinessSaysSo() {
        assertNull(CertificateTrust.NONE.problem());
        assertEquals("not configured: every certificate is believed, a forged one included",
                CertificateTrust.NONE.describe());
    }
}
