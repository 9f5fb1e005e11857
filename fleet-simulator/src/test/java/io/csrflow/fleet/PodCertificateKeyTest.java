package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import io.csrflow.pki.Pem;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.TestCa;

/**
 * The kubelet's keys and proofs of possession, checked by openssl, an implementation that shares
 * nothing with the simulator: the key is of the volume's type, and the proof verifies over the pod's
 * UID (and not over another) as the API server verifies it.
 */
class PodCertificateKeyTest {
    private static final String POD_UID = "6c1d3b9a-2f4e-4b8e-9a51-0d2f1e7c3a10";

    @TempDir
    Path dir;

    private Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    private Path publicKeyPem(PodCertificateKey key) throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.pkixPublicKey()) + "\n-----END PUBLIC KEY-----\n";
        return write("public.pem", pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** openssl's verdict on {@code signature} over {@code uid}, the way each key type is verified. */
    private boolean opensslVerifies(PodCertificateKey key, String uid, byte[] signature) throws Exception {
        Path publicKey = publicKeyPem(key);
        Path message = write("uid.txt", uid.getBytes(StandardCharsets.US_ASCII));
        Path sig = write("proof.bin", signature);
        List<String> command = switch (key.type()) {
            case ED25519 -> List.of("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toString(), "-rawin",
                    "-in", message.toString(), "-sigfile", sig.toString());
            case ECDSAP256, ECDSAP384, ECDSAP521 -> List.of("openssl", "dgst", "-sha256", "-verify", publicKey.toString(),
                    "-signature", sig.toString(), message.toString());
            case RSA3072, RSA4096 -> {
                // Over the SHA-256 of the UID, with the salt length fixed at Go's (the maximum), not detected.
                Path hash = write("uid.sha256", MessageDigest.getInstance("SHA-256")
                        .digest(uid.getBytes(StandardCharsets.US_ASCII)));
                int salt = PodCertificateKey.maxPssSaltLength((RSAPublicKey) key.key().keys().getPublic());
                yield List.of("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toString(), "-in",
                        hash.toString(), "-sigfile", sig.toString(), "-pkeyopt", "digest:sha256", "-pkeyopt",
                        "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:" + salt);
            }
        };
        try {
            Cli.run(dir, null, command.toArray(String[]::new));
            return true;
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("(is it installed?)")) {
                throw e;
            }
            return false;
        }
    }

    @ParameterizedTest
    @CsvSource({
        "RSA3072, Public-Key: (3072 bit)",
        "RSA4096, Public-Key: (4096 bit)",
        "ECDSAP256, ASN1 OID: prime256v1",
        "ECDSAP384, ASN1 OID: secp384r1",
        "ECDSAP521, ASN1 OID: secp521r1",
        "ED25519, ED25519 Public-Key",
    })
    void theKeyIsOfTheVolumesTypeAndItsProofVerifiesOverThePodUidOnly(PodCertificateKey.Type type, String described)
            throws Exception {
        PodCertificateKey key = PodCertificateKey.generate(type);
        assertTrue(Cli.run(dir, null, "openssl", "pkey", "-pubin", "-in", publicKeyPem(key).toString(), "-noout",
                "-text").contains(described));

        byte[] proof = key.proofOfPossession(POD_UID);

        assertTrue(opensslVerifies(key, POD_UID, proof), type + " proof over the pod UID");
        assertFalse(opensslVerifies(key, "0b7c6f0e-1111-4222-8333-944455556666", proof), type + " proof over another UID");
    }

    @ParameterizedTest
    @EnumSource(value = PodCertificateKey.Type.class, names = {"RSA3072", "RSA4096"})
    void rsaProofsUseTheLongestSaltAsGoDoesWithoutOptions(PodCertificateKey.Type type) throws Exception {
        PodCertificateKey key = PodCertificateKey.generate(type);
        RSAPublicKey publicKey = (RSAPublicKey) key.key().keys().getPublic();
        assertEquals(type == PodCertificateKey.Type.RSA3072 ? 384 - 32 - 2 : 512 - 32 - 2,
                PodCertificateKey.maxPssSaltLength(publicKey));

        Signature exact = Signature.getInstance("RSASSA-PSS");
        exact.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PodCertificateKey.maxPssSaltLength(publicKey), PSSParameterSpec.TRAILER_FIELD_BC));
        exact.initVerify(publicKey);
        exact.update(POD_UID.getBytes(StandardCharsets.US_ASCII));
        assertTrue(exact.verify(key.proofOfPossession(POD_UID)));
    }

    @Test
    void theCredentialBundleIsThePkcs8KeyThenTheChain() throws Exception {
        PodCertificateKey key = PodCertificateKey.generate(PodCertificateKey.Type.ECDSAP256);
        TestCa ca = TestCa.create(dir.resolve("ca"), "bundle-ca", Instant.now(), Instant.now().plusSeconds(3600));
        List<X509Certificate> chain = Pem.certificates(Files.readString(ca.certFile()));

        String bundle = key.credentialBundle(chain);

        assertTrue(bundle.startsWith("-----BEGIN PRIVATE KEY-----"), bundle);
        assertEquals(1, bundle.split("-----BEGIN CERTIFICATE-----", -1).length - 1, bundle);
        assertTrue(Cli.run(dir, bundle, "openssl", "pkey", "-noout", "-text").contains("prime256v1"));
        assertTrue(Cli.run(dir, bundle, "openssl", "x509", "-noout", "-subject").contains("bundle-ca"));
    }

    @Test
    void anUnknownKeyTypeIsAnsweredWithTheList() {
        assertEquals(PodCertificateKey.Type.ECDSAP384, PodCertificateKey.Type.parse("k", " ecdsap384 "));
        assertEquals("--k must be one of RSA3072, RSA4096, ECDSAP256, ECDSAP384, ECDSAP521, ED25519, got 'RSA2048'",
                assertThrows(IllegalArgumentException.class, () -> PodCertificateKey.Type.parse("k", "RSA2048"))
                        .getMessage());
    }
}
