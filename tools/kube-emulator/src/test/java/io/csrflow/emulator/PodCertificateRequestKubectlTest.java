package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl (1.32, which has no PodCertificateRequest type of its own) with PodCertificateRequests:
 * it finds them by discovery, creates one from a manifest, and prints the API server's table.
 */
class PodCertificateRequestKubectlTest {
    @TempDir
    static Path dir;
    static KubectlSession session;

    @BeforeAll
    static void start() throws IOException {
        session = KubectlSession.start(dir);
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    @Test
    void createsARequestAndPrintsTheTableForAllNamespaces() throws IOException {
        session.ok("create", "namespace", "workloads");
        KeyPair keys = TestCsrs.ec("secp256r1");
        Path manifest = dir.resolve("pcr.yaml");
        Files.writeString(manifest, """
                apiVersion: certificates.k8s.io/v1beta1
                kind: PodCertificateRequest
                metadata:
                  name: web-1-mtls
                  namespace: workloads
                spec:
                  signerName: example.com/pods
                  podName: web-1
                  podUID: 5b3c7e0e-0000-4000-8000-000000000001
                  serviceAccountName: web
                  serviceAccountUID: 5b3c7e0e-0000-4000-8000-000000000002
                  nodeName: node-1
                  nodeUID: 5b3c7e0e-0000-4000-8000-000000000003
                  pkixPublicKey: %s
                  proofOfPossession: %s
                """.formatted(PodCertificates.pkix(keys), PodCertificates.proof(keys,
                "5b3c7e0e-0000-4000-8000-000000000001")));

        assertTrue(session.ok("create", "-f", manifest.toString()).contains("web-1-mtls created"));

        List<String> lines = session.ok("get", "podcertificaterequests", "-A").lines().toList();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertEquals(List.of("NAMESPACE", "NAME", "PODNAME", "SERVICEACCOUNTNAME", "NODENAME", "SIGNERNAME", "STATE"),
                List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(List.of("workloads", "web-1-mtls", "web-1", "web", "node-1", "example.com/pods", "Pending"),
                List.of(lines.get(1).trim().split("\\s+")));
    }
}
