package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.SoftHsm;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The kubelet client signer with its CA key in a PKCS#11 token (SoftHSM2), as with an HSM. */
@QuarkusTest
@TestProfile(Pkcs11SignerTest.KeyInAToken.class)
class Pkcs11SignerTest {
    static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    static final String LABEL = "csrflow-kubelet-client-ca";

    public static class KeyInAToken implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "signer-token")),
                    new TestResourceEntry(TokenCa.class));
        }
    }

    /** A CA made by openssl whose key is imported into a new SoftHSM2 token, and the signer's settings for it. */
    public static class TokenCa implements QuarkusTestResourceLifecycleManager {
        static Path certificate;
        private SoftHsm hsm;

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory("token-ca");
                Cli.run(dir, null, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30", "-subj", "/CN=csrflow-token-ca",
                        "-keyout", "ca.key", "-out", "ca.crt");
                certificate = dir.resolve("ca.crt");
                Path pin = dir.resolve("pin");
                Files.writeString(pin, "1234\n");
                Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));
                hsm = SoftHsm.fromEnvironment();
                SoftHsm.Token token = hsm.createToken("csrflow-signer", "1234");
                hsm.importKey(token, LABEL, "01", dir.resolve("ca.key"), certificate);
                // Only the token holds the key now.
                Files.delete(dir.resolve("ca.key"));
                String prefix = "csrflow.signer.signers.kube-apiserver-client-kubelet.";
                return Map.of(prefix + "cert-file", certificate.toString(),
                        prefix + "pkcs11.library", hsm.library().toString(),
                        prefix + "pkcs11.slot", Long.toString(token.slotId()),
                        prefix + "pkcs11.key-label", LABEL,
                        prefix + "pkcs11.pin-file", pin.toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (hsm != null) {
                hsm.close();
            }
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void theTokenSignsAndTheCertificateVerifiesWithTheCa() throws Exception {
        try (KubernetesClient admin = emulator.client("admin-token");
                EventSender approver = new EventSender(KafkaBrokers.shared(), "/test/approver")) {
            CsrSubmitter.submit(emulator, "bootstrap-token", "token-signed", SIGNER,
                    List.of("digital signature", "client auth"), TestCsrs.kubelet("hsm-1").pem(), 86400);
            CertificateSigningRequest approved = CsrSubmitter.approve(admin, "token-signed", "AutoApproved", "test");
            approver.send(EventType.CSR_DECISION, new CsrDecision("token-signed", approved.getMetadata().getUid(),
                    approved.getMetadata().getResourceVersion(), SIGNER, DecisionOutcome.APPROVED, "test",
                    "AutoApproved", "test", List.of(), "v0", Instant.now()));

            await().atMost(Duration.ofSeconds(30)).until(() -> certificate(admin) != null);
            Path dir = Files.createTempDirectory("token-signed");
            Files.writeString(dir.resolve("leaf.crt"), certificate(admin));
            assertEquals(dir.resolve("leaf.crt") + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-CAfile",
                    TokenCa.certificate.toString(), dir.resolve("leaf.crt").toString()));
        }
        given().get("/q/health/ready").then().statusCode(200).body(containsString("key in a PKCS#11 token"));
    }

    private static String certificate(KubernetesClient admin) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName("token-signed")
                .get();
        String b64 = csr.getStatus() == null ? null : csr.getStatus().getCertificate();
        return b64 == null || b64.isEmpty() ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }
}
