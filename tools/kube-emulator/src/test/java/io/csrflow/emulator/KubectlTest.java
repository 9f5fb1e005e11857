package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The real kubectl against the emulator over HTTPS, as an administrator would use it. */
class KubectlTest {
    @TempDir
    static Path dir;
    static KubectlSession session;
    static KubernetesClient admin;

    @BeforeAll
    static void start() throws IOException {
        session = KubectlSession.start(dir);
        admin = session.admin;
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    private static String kubectl(String... args) {
        return session.ok(args);
    }

    private static Path manifest(String name, String subject) throws IOException {
        String pem = Openssl.csr(dir, subject);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: %s
                spec:
                  request: %s
                  signerName: kubernetes.io/kube-apiserver-client-kubelet
                  expirationSeconds: 86400
                  usages: [digital signature, client auth]
                """.formatted(name, Base64.getEncoder().encodeToString(pem.getBytes())));
        return file;
    }

    private static CertificateSigningRequestCondition onlyCondition(String name) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
        assertEquals(1, csr.getStatus().getConditions().size());
        return csr.getStatus().getConditions().get(0);
    }

    @Test
    void appliesListsAndApprovesACsr() throws IOException {
        assertTrue(kubectl("apply", "-f", manifest("kubectl-approve",
                "/O=system:nodes/CN=system:node:k1").toString()).contains("created"));

        String table = kubectl("get", "csr");
        assertTrue(table.contains("SIGNERNAME") && table.contains("kubectl-approve") && table.contains("Pending")
                && table.contains("24h"), table);

        assertTrue(kubectl("certificate", "approve", "kubectl-approve").contains("approved"));

        CertificateSigningRequestCondition approved = onlyCondition("kubectl-approve");
        assertEquals("Approved", approved.getType());
        assertEquals("KubectlApprove", approved.getReason());
        assertTrue(approved.getLastTransitionTime().startsWith("20"), approved.getLastTransitionTime());
        assertEquals("Approved", kubectl("get", "csr", "kubectl-approve", "-o",
                "jsonpath={.status.conditions[0].type}"));
        assertEquals("kubernetes-admin", kubectl("get", "csr", "kubectl-approve", "-o", "jsonpath={.spec.username}"));
        assertTrue(kubectl("get", "csr", "kubectl-approve").contains("Approved"));
    }

    @Test
    void deniesACsrAndLeavesItDenied() throws IOException {
        kubectl("apply", "-f", manifest("kubectl-deny", "/O=system:nodes/CN=system:node:k2")
                .toString());

        assertTrue(kubectl("certificate", "deny", "kubectl-deny").contains("denied"));

        assertEquals("Denied", onlyCondition("kubectl-deny").getType());
        assertEquals("KubectlDeny", onlyCondition("kubectl-deny").getReason());
        assertTrue(session.emulator.requests().count("update certificatesigningrequests/approval") >= 1);
        assertTrue(session.emulator.requests().count("kubernetes-admin", "update certificatesigningrequests/approval") >= 1);
        assertEquals(0, session.emulator.requests().count("system:anonymous", "update certificatesigningrequests/approval"));
    }

    @Test
    void deletesACsr() throws IOException {
        kubectl("apply", "-f", manifest("kubectl-delete", "/O=system:nodes/CN=system:node:k3")
                .toString());
        kubectl("delete", "csr", "kubectl-delete");
        assertEquals(null, admin.certificates().v1().certificateSigningRequests().withName("kubectl-delete").get());
    }
}
