package io.csrflow.watcher.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.service.PodCertificateSnapshots;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;

/**
 * What the outboxes remember of an acknowledged snapshot, from snapshots as the informers make them:
 * the object's resourceVersion, and for its deletion nothing (a wrong test here would keep every
 * deleted object's entry for ever).
 */
class SnapshotKindTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void aCsrSnapshotShowsItsResourceVersionAndItsDeletionIsItsLastState() {
        SnapshotKind<CsrObserved> kind = SnapshotKind.csrs("csrflow.csr.observed");
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder()
                .withNewMetadata().withName("node-csr-a").withUid("u-1").withResourceVersion("417").endMetadata()
                .withNewSpec().withSignerName("kubernetes.io/kube-apiserver-client-kubelet").endSpec()
                .build();

        assertRemembered(kind, "417", CsrSnapshots.of(csr, false, NOW), CsrSnapshots.of(csr, true, NOW));
    }

    @Test
    void aPodCertificateSnapshotShowsItsResourceVersionAndItsDeletionIsItsLastState() {
        SnapshotKind<PodCertificateObserved> kind = SnapshotKind.podCertificates("csrflow.pcr.observed");
        GenericKubernetesResource pcr = new GenericKubernetesResourceBuilder()
                .withApiVersion("certificates.k8s.io/v1beta1").withKind("PodCertificateRequest")
                .withNewMetadata().withNamespace("shop").withName("web-0-1").withUid("u-2").withResourceVersion("88")
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of("signerName", "csrflow.io/workload", "podName", "web-0",
                        "serviceAccountName", "web", "nodeName", "worker-1"))
                .build();

        assertRemembered(kind, "88", PodCertificateSnapshots.of(pcr, false, NOW),
                PodCertificateSnapshots.of(pcr, true, NOW));
    }

    private static <T> void assertRemembered(SnapshotKind<T> kind, String resourceVersion, T live, T deleted) {
        assertEquals(resourceVersion, kind.resourceVersion().apply(live));
        assertFalse(kind.deleted().test(live), "a live object's snapshot is not its last");
        assertTrue(kind.deleted().test(deleted), "a deletion is the object's last snapshot");
    }
}
