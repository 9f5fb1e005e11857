package io.csrflow.emulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.CertificateSigningRequestResource;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestList;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

class CsrApiRulesTest {
    private static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";

    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static KubernetesClient admin;
    static KubernetesClient bootstrap;
    static String nodeCsr;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
        bootstrap = emulator.client("bootstrap-token");
        nodeCsr = Openssl.csr(dir, "/O=system:nodes/CN=system:node:worker-1");
    }

    @AfterAll
    static void stop() {
        admin.close();
        bootstrap.close();
        emulator.close();
    }

    static NonNamespaceOperation<CertificateSigningRequest, CertificateSigningRequestList,
            CertificateSigningRequestResource<CertificateSigningRequest>> csrs(KubernetesClient client) {
        return client.certificates().v1().certificateSigningRequests();
    }

    static CertificateSigningRequestBuilder csr(String name, String pem) {
        return new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(KUBELET_CLIENT)
                .withUsages("digital signature", "client auth")
                .endSpec();
    }

    static CertificateSigningRequestCondition condition(String type) {
        return new CertificateSigningRequestConditionBuilder().withType(type).withStatus("True")
                .withReason("Test").withMessage("set by the test").build();
    }

    static int createStatus(CertificateSigningRequest csr) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(csr).create());
        return e.getCode();
    }

    @Test
    void createdCsrCarriesTheRequesterOfTheTokenNotOfTheBody() {
        CertificateSigningRequest created = csrs(bootstrap).resource(csr("from-bootstrap", nodeCsr)
                .editSpec().withUsername("system:admin").withGroups("system:masters").endSpec().build()).create();

        assertEquals("system:bootstrap:abcdef", created.getSpec().getUsername());
        assertEquals(List.of("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                "system:authenticated"), created.getSpec().getGroups());
        assertFalse(created.getMetadata().getUid().isEmpty());
        assertNull(created.getStatus() == null ? null : created.getStatus().getCertificate());
    }

    @Test
    void rejectsRequestThatIsNotPem() {
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(csr("not-pem", "hello").build()).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getStatus().getMessage().contains("spec.request"), e.getStatus().getMessage());
    }

    @Test
    void rejectsRequestWhoseSignatureDoesNotVerify() {
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(csr("bad-signature", Openssl.withBrokenSignature(nodeCsr)).build()).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getStatus().getMessage().endsWith(": x509: ECDSA verification failure"),
                e.getStatus().getMessage());
    }

    @Test
    void rejectsMissingUnknownAndDuplicateUsages() {
        assertEquals(422, createStatus(csr("no-usages", nodeCsr).editSpec().withUsages(List.of()).endSpec().build()));
        assertEquals(422, createStatus(csr("odd-usage", nodeCsr).editSpec().withUsages("root of trust").endSpec()
                .build()));
        assertEquals(422, createStatus(csr("dup-usage", nodeCsr).editSpec()
                .withUsages("client auth", "client auth").endSpec().build()));
    }

    @Test
    void rejectsExpirationBelowTenMinutesAndAcceptsTenMinutes() {
        assertEquals(422, createStatus(csr("short", nodeCsr).editSpec().withExpirationSeconds(599).endSpec().build()));
        CertificateSigningRequest ok = csrs(admin).resource(csr("ten-minutes", nodeCsr).editSpec()
                .withExpirationSeconds(600).endSpec().build()).create();
        assertEquals(600, ok.getSpec().getExpirationSeconds());
    }

    @Test
    void rejectsLegacyUnknownAndMalformedSignerNames() {
        assertEquals(422, createStatus(csr("legacy", nodeCsr).editSpec()
                .withSignerName("kubernetes.io/legacy-unknown").endSpec().build()));
        assertEquals(422, createStatus(csr("no-path", nodeCsr).editSpec().withSignerName("example.com").endSpec()
                .build()));
    }

    @Test
    void approvalAddsApprovedConditionAndNewResourceVersion() {
        CertificateSigningRequest created = csrs(admin).resource(csr("to-approve", nodeCsr).build()).create();
        CertificateSigningRequest approved = csrs(admin).withName("to-approve").approve(condition("Approved"));

        assertEquals("Approved", approved.getStatus().getConditions().get(0).getType());
        assertNotEquals(created.getMetadata().getResourceVersion(), approved.getMetadata().getResourceVersion());
        assertNotNull(approved.getStatus().getConditions().get(0).getLastUpdateTime());
    }

    @Test
    void approvalWithStaleResourceVersionIsAConflict() {
        CertificateSigningRequest created = csrs(admin).resource(csr("stale-approval", nodeCsr).build()).create();
        csrs(admin).withName("stale-approval").approve(condition("Approved"));

        CertificateSigningRequest stale = new CertificateSigningRequestBuilder(created).editOrNewStatus()
                .withConditions(condition("Denied")).endStatus().build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(stale).subresource("approval").update());
        assertEquals(409, e.getCode());
        assertEquals("Conflict", e.getStatus().getReason());
    }

    @Test
    void approvedAndDeniedAreMutuallyExclusiveAndNeverRemoved() {
        csrs(admin).resource(csr("exclusive", nodeCsr).build()).create();
        CertificateSigningRequest approved = csrs(admin).withName("exclusive").approve(condition("Approved"));

        CertificateSigningRequest both = new CertificateSigningRequestBuilder(approved).editStatus()
                .addToConditions(condition("Denied")).endStatus().build();
        assertEquals(422, assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(both).subresource("approval").update()).getCode());

        CertificateSigningRequest removed = new CertificateSigningRequestBuilder(approved).editStatus()
                .withConditions(List.of()).endStatus().build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(removed).subresource("approval").update());
        assertEquals(422, e.getCode());
        assertTrue(e.getStatus().getMessage().contains("may not remove"), e.getStatus().getMessage());
    }

    @Test
    void updateOfTheObjectNeverChangesStatusOrSpec() {
        CertificateSigningRequest created = csrs(admin).resource(csr("main-update", nodeCsr).build()).create();
        CertificateSigningRequest sneaky = new CertificateSigningRequestBuilder(created)
                .editMetadata().addToLabels("team", "a").endMetadata()
                .editSpec().withUsages("server auth").endSpec()
                .withNewStatus().withConditions(condition("Approved")).endStatus().build();

        CertificateSigningRequest updated = csrs(admin).resource(sneaky).update();

        assertEquals("a", updated.getMetadata().getLabels().get("team"));
        assertEquals(List.of("digital signature", "client auth"), updated.getSpec().getUsages());
        assertTrue(updated.getStatus() == null || updated.getStatus().getConditions().isEmpty());
    }

    @Test
    void statusCertificateMustBePemCertificatesAndIsSetOnce() {
        csrs(admin).resource(csr("cert-once", nodeCsr).build()).create();
        CertificateSigningRequest approved = csrs(admin).withName("cert-once").approve(condition("Approved"));
        String first = Openssl.selfSignedCertificate(dir, "/CN=first");

        CertificateSigningRequest notPem = new CertificateSigningRequestBuilder(approved).editStatus()
                .withCertificate(base64("not a certificate")).endStatus().build();
        assertEquals(422, assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(notPem).updateStatus()).getCode());

        CertificateSigningRequest issued = csrs(admin).resource(new CertificateSigningRequestBuilder(approved)
                .editStatus().withCertificate(base64(first)).endStatus().build()).updateStatus();
        assertEquals(base64(first), issued.getStatus().getCertificate());
        assertEquals("Approved", issued.getStatus().getConditions().get(0).getType());

        CertificateSigningRequest second = new CertificateSigningRequestBuilder(issued).editStatus()
                .withCertificate(base64(Openssl.selfSignedCertificate(dir, "/CN=second"))).endStatus().build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(second).updateStatus());
        assertEquals(422, e.getCode());
        assertTrue(e.getStatus().getMessage().contains("may not modify existing certificate"));
    }

    @Test
    void statusWithStaleResourceVersionIsAConflict() {
        CertificateSigningRequest created = csrs(admin).resource(csr("stale-status", nodeCsr).build()).create();
        csrs(admin).withName("stale-status").approve(condition("Approved"));

        CertificateSigningRequest stale = new CertificateSigningRequestBuilder(created).withNewStatus()
                .withCertificate(base64(Openssl.selfSignedCertificate(dir, "/CN=x"))).endStatus().build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(stale).updateStatus());
        assertEquals(409, e.getCode());
    }

    @Test
    void statusCannotAddAnApproval() {
        CertificateSigningRequest created = csrs(admin).resource(csr("status-approve", nodeCsr).build()).create();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> csrs(admin).resource(new CertificateSigningRequestBuilder(created).withNewStatus()
                        .withConditions(condition("Approved"), condition("Failed")).endStatus().build()).updateStatus());
        assertEquals(422, e.getCode());
        assertEquals("CertificateSigningRequest.certificates.k8s.io \"status-approve\" is invalid: status.conditions: "
                + "Forbidden: updates may not add a condition of type \"Approved\"", e.getStatus().getMessage());
        assertEquals("FieldValueForbidden", e.getStatus().getDetails().getCauses().get(0).getReason());
        assertEquals("status.conditions", e.getStatus().getDetails().getCauses().get(0).getField());
    }

    @Test
    void informerSeesCreateApproveAndDelete() {
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<CertificateSigningRequest> informer = csrs(admin).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                if (csr.getMetadata().getName().equals("watched")) {
                    seen.add("add");
                }
            }

            @Override
            public void onUpdate(CertificateSigningRequest old, CertificateSigningRequest csr) {
                if (csr.getMetadata().getName().equals("watched")
                        && !old.getMetadata().getResourceVersion().equals(csr.getMetadata().getResourceVersion())) {
                    seen.add("update:" + csr.getStatus().getConditions().get(0).getType());
                }
            }

            @Override
            public void onDelete(CertificateSigningRequest csr, boolean unknownFinalState) {
                if (csr.getMetadata().getName().equals("watched")) {
                    seen.add("delete");
                }
            }
        });
        try {
            csrs(admin).resource(csr("watched", nodeCsr).build()).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("add"));
            csrs(admin).withName("watched").approve(condition("Approved"));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("update:Approved"));
            csrs(admin).withName("watched").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("delete"));
            assertEquals(List.of("add", "update:Approved", "delete"), seen);
        } finally {
            informer.close();
        }
    }

    @Test
    void unknownTokenIsUnauthorized() {
        try (KubernetesClient stranger = emulator.client("no-such-token")) {
            assertEquals(401, assertThrows(KubernetesClientException.class,
                    () -> csrs(stranger).list()).getCode());
        }
    }

    private static void assertNotNull(Object value) {
        org.junit.jupiter.api.Assertions.assertNotNull(value);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
