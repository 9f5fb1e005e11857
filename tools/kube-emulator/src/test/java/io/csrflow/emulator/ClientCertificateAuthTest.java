package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Kubelets authenticate with the client certificate they were issued: the emulator maps a
 * certificate that chains to its client CA to the user of its subject (CN, O groups), as the API
 * server's x509 authenticator does; other certificates and forged identity headers get nowhere.
 */
class ClientCertificateAuthTest {
    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static Path caCert;
    static Path caKey;

    @BeforeAll
    static void start() {
        caKey = dir.resolve("ca.key");
        caCert = dir.resolve("ca.crt");
        Openssl.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", caKey.toString(), "-out", caCert.toString(), "-subj", "/CN=cluster-ca", "-days", "2");
        emulator = KubeEmulator.startWithClientCa(EmulatorConfig.defaults(), "127.0.0.1", 0, caCert);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    /** A key and a certificate for {@code subject} signed by the given CA, as files. */
    private static Path[] clientCertificate(String name, String subject, Path signingCert, Path signingKey) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".crt");
        Path config = dir.resolve("uid-oid.cnf");
        try {
            // openssl skips attributes it has no name for: name the Kubernetes UID attribute (k8sUID).
            Files.writeString(config, "oid_section = oids\n[oids]\nk8sUID = " + ClientCertIdentity.UID.getId()
                    + "\n[req]\ndistinguished_name = dn\n[dn]\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Openssl.run(dir, "openssl", "req", "-config", config.toString(), "-new", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", subject);
        Openssl.run(dir, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", signingCert.toString(), "-CAkey",
                signingKey.toString(), "-out", cert.toString(), "-days", "1");
        return new Path[] {cert, key};
    }

    private static KubernetesClient clientFor(Path[] certAndKey) throws IOException {
        return new KubernetesClientBuilder().withConfig(emulator.clientConfig(Files.readString(certAndKey[0]),
                Files.readString(certAndKey[1]))).build();
    }

    private static CertificateSigningRequest csr(String name, String subject) {
        return new CertificateSigningRequestBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(Openssl.csr(dir, subject).getBytes()))
                .withSignerName("kubernetes.io/kubelet-serving").withUsages("digital signature", "server auth")
                .endSpec().build();
    }

    @Test
    void aCertificateFromTheClientCaAuthenticatesAsItsSubject() throws IOException {
        Path[] node = clientCertificate("n1", "/O=system:nodes/CN=system:node:n1", caCert, caKey);
        try (KubernetesClient kubelet = clientFor(node)) {
            CertificateSigningRequest created = kubelet.certificates().v1().certificateSigningRequests()
                    .resource(csr("n1-serving", "/O=system:nodes/CN=system:node:n1")).create();

            assertEquals("system:node:n1", created.getSpec().getUsername());
            assertEquals(List.of("system:nodes", "system:authenticated"), created.getSpec().getGroups());
            assertNull(created.getSpec().getUid(), "x509 users have no uid");
        }
    }

    @Test
    void theSubjectsUidAttributeIsTheUsersUid() throws IOException {
        Path[] node = clientCertificate("n4", "/O=system:nodes/CN=system:node:n4/k8sUID=uid-4242",
                caCert, caKey);
        try (KubernetesClient kubelet = clientFor(node)) {
            CertificateSigningRequest created = kubelet.certificates().v1().certificateSigningRequests()
                    .resource(csr("n4-serving", "/O=system:nodes/CN=system:node:n4")).create();

            assertEquals("system:node:n4", created.getSpec().getUsername());
            assertEquals("uid-4242", created.getSpec().getUid());
        }
        String uid = Openssl.run(dir, "kubectl", "--server", emulator.url(), "--insecure-skip-tls-verify",
                "--client-certificate", node[0].toString(), "--client-key", node[1].toString(),
                "auth", "whoami", "-o", "jsonpath={.status.userInfo.uid}");
        assertEquals("uid-4242", uid);
    }

    @Test
    void aCertificateWithTwoUidsIsRefused() throws IOException {
        Path[] twice = clientCertificate("n5",
                "/O=system:nodes/CN=system:node:n5/k8sUID=a/k8sUID=b", caCert, caKey);
        try (KubernetesClient kubelet = clientFor(twice)) {
            assertEquals(401, assertThrows(KubernetesClientException.class, () -> kubelet.certificates().v1()
                    .certificateSigningRequests().list()).getCode());
        }
    }

    @Test
    void kubectlWithAClientCertificateIsThatUser() {
        Path[] node = clientCertificate("n2", "/O=system:nodes/CN=system:node:n2", caCert, caKey);
        String user = Openssl.run(dir, "kubectl", "--server", emulator.url(), "--insecure-skip-tls-verify",
                "--client-certificate", node[0].toString(), "--client-key", node[1].toString(),
                "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        assertEquals("system:node:n2", user);
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws IOException {
        Path otherKey = dir.resolve("other-ca.key");
        Path otherCert = dir.resolve("other-ca.crt");
        Openssl.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", otherKey.toString(), "-out", otherCert.toString(), "-subj", "/CN=other", "-days", "2");
        Path[] forged = clientCertificate("forged", "/O=system:masters/CN=mallory", otherCert, otherKey);
        try (KubernetesClient mallory = clientFor(forged)) {
            assertThrows(KubernetesClientException.class, () -> mallory.certificates().v1()
                    .certificateSigningRequests().list());
        }
    }

    @Test
    void identityHeadersFromACallerAreIgnored() throws IOException {
        Path body = dir.resolve("spoof.json");
        Files.writeString(body, io.fabric8.kubernetes.client.utils.Serialization.asJson(
                csr("spoofed", "/O=system:nodes/CN=system:node:victim")));
        String created = Openssl.run(dir, "curl", "-sk", "-X", "POST",
                "-H", "Authorization: Bearer bootstrap-token", "-H", "Content-Type: application/json",
                "-H", "X-Remote-User: system:node:victim", "-H", "X-Remote-Group: system:masters",
                "-H", "X-Remote-Uid: victim-uid",
                "--data-binary", "@" + body, emulator.url() + "/apis/certificates.k8s.io/v1/certificatesigningrequests");
        assertTrue(created.contains("\"username\":\"system:bootstrap:abcdef\""), created);
        assertTrue(!created.contains("system:masters") && !created.contains("system:node:victim\"")
                && !created.contains("victim-uid"), created);
    }
}
