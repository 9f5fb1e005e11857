package io.csrflow.watcher.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The cleaner's conditional delete against the Kubernetes API (the emulator): it removes the CSR it
 * judged, and leaves alone a CSR that changed since or was created again under the same name.
 */
class ConditionalDeleteTest {
    private static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final List<String> CLIENT = List.of("digital signature", "client auth");

    private KubeEmulator emulator;
    private KubernetesClient admin;
    private CsrDeletes csrs;

    @BeforeEach
    void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
        csrs = new CsrDeletes(admin);
    }

    @AfterEach
    void stop() {
        admin.close();
        emulator.close();
    }

    @Test
    void theCsrThatWasJudgedIsDeleted() {
        CertificateSigningRequest judged = submit("judged");

        assertEquals(CsrDeletes.Outcome.DELETED, delete(judged).outcome());
        assertNull(live("judged"));
        assertEquals(CsrDeletes.Outcome.GONE, delete(judged).outcome());
    }

    @Test
    void aCsrCreatedAgainUnderTheSameNameIsNotDeleted() {
        CertificateSigningRequest judged = submit("again");
        admin.certificates().v1().certificateSigningRequests().withName("again").delete();
        waitUntilGone("again");
        CertificateSigningRequest recreated = submit("again");
        assertNotEquals(judged.getMetadata().getUid(), recreated.getMetadata().getUid());

        assertEquals(CsrDeletes.Outcome.CHANGED, delete(judged).outcome());
        assertEquals(recreated.getMetadata().getUid(), live("again").getMetadata().getUid());
    }

    @Test
    void aCsrThatChangedSinceItWasJudgedIsNotDeleted() {
        CertificateSigningRequest judged = submit("changed");
        CsrSubmitter.approve(admin, "changed", "AutoApproved", "approved after the cleaner looked");

        assertEquals(CsrDeletes.Outcome.CHANGED, delete(judged).outcome());
        assertEquals("Approved", live("changed").getStatus().getConditions().get(0).getType());
    }

    private CsrDeletes.Result delete(CertificateSigningRequest judged) {
        return csrs.deleteIfUnchanged(judged.getMetadata().getName(), judged.getMetadata().getUid(),
                judged.getMetadata().getResourceVersion());
    }

    private CertificateSigningRequest submit(String name) {
        return CsrSubmitter.submit(emulator, "admin-token", name, SIGNER, CLIENT, TestCsrs.kubelet(name).pem(), null);
    }

    private CertificateSigningRequest live(String name) {
        return admin.certificates().v1().certificateSigningRequests().withName(name).get();
    }

    /** A delete may finish after its answer (finalizers, graceful deletion); a CSR has neither, but wait anyway. */
    private void waitUntilGone(String name) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> live(name) == null);
    }
}
