package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Given a serving certificate and key (as kube-apiserver's --tls-cert-file and
 * --tls-private-key-file), the emulator serves them: a client that trusts only the CA that issued
 * them and verifies the host name connects; one that trusts another CA does not.
 */
class ServingCertificateTest {
    @TempDir
    static Path dir;
    static KubeEmulator emulator;

    @BeforeAll
    static void start() throws Exception {
        certificateAuthority("api-ca");
        certificateAuthority("other-ca");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                + "extendedKeyUsage=serverAuth\n");
        Openssl.run(dir, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver");
        Openssl.run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "api-ca.crt", "-CAkey", "api-ca.key",
                "-CAcreateserial", "-extfile", "server.ext", "-days", "1", "-out", "server.crt");
        emulator = KubeEmulator.startWithServingCertificate(EmulatorConfig.defaults(), "127.0.0.1", 0, null,
                dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    @AfterAll
    static void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private static void certificateAuthority(String name) {
        Openssl.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-subj", "/CN=" + name, "-days", "1");
    }

    private static KubernetesClient trusting(String ca) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://localhost:" + emulator.port())
                .withCaCertFile(dir.resolve(ca + ".crt").toString())
                .withOauthToken("admin-token")
                .withRequestTimeout(10_000)
                // A refused handshake is final: no retries with backoff.
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Test
    void aClientTrustingTheIssuingCaVerifiesTheServer() {
        try (KubernetesClient client = trusting("api-ca")) {
            assertEquals("default", client.namespaces().withName("default").get().getMetadata().getName());
        }
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheServer() {
        try (KubernetesClient client = trusting("other-ca")) {
            assertThrows(KubernetesClientException.class, () -> client.namespaces().withName("default").get());
        }
    }
}
