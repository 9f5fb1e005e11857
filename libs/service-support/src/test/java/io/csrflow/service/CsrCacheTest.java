package io.csrflow.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrPhase;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The CSR cache on a real informer against the emulator: what a review or a signing is given, what
 * makes it read the live CSR instead, and that a stale copy can only cost a refused write.
 */
class CsrCacheTest {
    private final KubeEmulator api = KubeEmulator.startDefault();
    private final KubernetesClient admin = api.client("admin-token");
    private final LiveCsrs live = new LiveCsrs(admin, Clock.systemUTC());

    @AfterEach
    void stop() {
        admin.close();
        api.close();
    }

    @Test
    void theApproverIsGivenPendingCsrsTrimmedAndTheDecidedOnesOnlyAsDecided() {
        CertificateSigningRequest created = create("node-csr-1");
        try (CsrCache cache = new CsrCache(Set.of(CsrPhase.PENDING), Set.of()).start(admin, live)) {
            String uid = created.getMetadata().getUid();
            CsrCache.InPlay pending = assertInstanceOf(CsrCache.InPlay.class, awaitSeen(cache, "node-csr-1", uid));
            CertificateSigningRequest copy = pending.csr();
            assertEquals(created.getSpec().getRequest(), copy.getSpec().getRequest());
            assertEquals(created.getMetadata().getResourceVersion(), copy.getMetadata().getResourceVersion());
            assertTrue(copy.getMetadata().getManagedFields() == null || copy.getMetadata().getManagedFields().isEmpty());
            assertTrue(copy.getMetadata().getAnnotations() == null || copy.getMetadata().getAnnotations().isEmpty(),
                    "annotations are not kept");
            assertEquals(CsrPhase.PENDING, CsrSnapshots.of(copy, false, Clock.systemUTC().instant()).phase());

            assertInstanceOf(CsrCache.Unknown.class, cache.lookup("node-csr-1", "another-uid"),
                    "another CSR of that name is read live");
            assertInstanceOf(CsrCache.Unknown.class, cache.lookup("node-csr-2", uid), "not seen yet");

            assertEquals(LiveCsrs.Written.WRITTEN, live.approval(copy, "Approved", "Test", "approved by the test"));
            assertEquals(new CsrCache.Past(CsrPhase.APPROVED), cache.lookup("node-csr-1", uid),
                    "a decision written is known at once, before the informer brings it");
            await().atMost(Duration.ofSeconds(10)).until(() -> cache.inPlaySize() == 0);
            assertEquals(new CsrCache.Past(CsrPhase.APPROVED), cache.lookup("node-csr-1", uid));
            assertEquals(1, cache.size());
        }
    }

    @Test
    void theSignerReadsLiveWhileTheCacheShowsPendingAndKeepsApprovedCsrsUntilIssued(@TempDir Path dir)
            throws Exception {
        CertificateSigningRequest created = create("node-csr-1");
        String uid = created.getMetadata().getUid();
        try (CsrCache cache = new CsrCache(Set.of(CsrPhase.APPROVED), Set.of(CsrPhase.PENDING)).start(admin, live)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> cache.size() == 1);
            assertInstanceOf(CsrCache.Unknown.class, cache.lookup("node-csr-1", uid),
                    "an approval may be ahead of the cache: pending is read live");
            assertInstanceOf(CsrCache.Unknown.class, cache.lookup("node-csr-1", uid, Duration.ofMillis(50)),
                    "still pending after the patience: read live");

            assertEquals(LiveCsrs.Written.WRITTEN, new LiveCsrs(admin, Clock.systemUTC()).approval(created, "Approved",
                    "Test", "approved by someone else"));
            // The approval is told before the informer shows it: a little patience finds it in the cache.
            CsrCache.InPlay approved = assertInstanceOf(CsrCache.InPlay.class,
                    cache.lookup("node-csr-1", uid, Duration.ofSeconds(10)));
            assertEquals(CsrPhase.APPROVED, CsrSnapshots.phase(approved.csr()));

            TestCa ca = TestCa.create(dir, "test-ca", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
            String pem = Files.readString(ca.certFile());
            assertEquals(LiveCsrs.Written.WRITTEN, live.certificate(approved.csr(),
                    Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))));
            assertEquals(new CsrCache.Past(CsrPhase.ISSUED), cache.lookup("node-csr-1", uid),
                    "the certificate written is known at once: a second trigger signs nothing");
        }
    }

    @Test
    void aStaleCopyCostsARefusedWriteNeverAWrongOne() {
        CertificateSigningRequest created = create("node-csr-1");
        String uid = created.getMetadata().getUid();
        try (CsrCache cache = new CsrCache(Set.of(CsrPhase.PENDING), Set.of()).start(admin, live)) {
            CertificateSigningRequest copy = ((CsrCache.InPlay) awaitSeen(cache, "node-csr-1", uid)).csr();
            // An administrator denies it; the copy the approver holds is from before.
            CertificateSigningRequest fresh = admin.certificates().v1().certificateSigningRequests()
                    .withName("node-csr-1").get();
            assertEquals(LiveCsrs.Written.WRITTEN, new LiveCsrs(admin, Clock.systemUTC())
                    .approval(fresh, "Denied", "Administrator", "not this one"));

            assertEquals(LiveCsrs.Written.CONFLICT, live.approval(copy, "Approved", "Test", "stale"));
            CertificateSigningRequest now = admin.certificates().v1().certificateSigningRequests()
                    .withName("node-csr-1").get();
            assertEquals(List.of("Denied"), now.getStatus().getConditions().stream().map(c -> c.getType()).toList());
        }
    }

    private static CsrCache.Lookup awaitSeen(CsrCache cache, String name, String uid) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> cache.lookup(name, uid),
                lookup -> !(lookup instanceof CsrCache.Unknown));
    }

    private CertificateSigningRequest create(String name) {
        return admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).withAnnotations(Map.of("note", "kept out of the cache")).endMetadata()
                .withNewSpec().withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withRequest(TestCsrs.kubelet("node-1").base64Pem()).withUsages("digital signature", "client auth")
                .endSpec().build()).create();
    }

}
