package io.csrflow.watcher.kube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.service.Backoff;
import io.csrflow.testsupport.ScriptedApi;
import io.csrflow.testsupport.ScriptedApi.Answer;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;

/** When the watcher's informer counts as synced, and what it hands on when started afresh. */
class SnapshotInformerTest {
    private static final String CSR = "{\"kind\":\"CertificateSigningRequest\",\"apiVersion\":\"certificates.k8s.io/v1\","
            + "\"metadata\":{\"name\":\"csr-1\",\"uid\":\"u1\",\"resourceVersion\":\"1\"}}";

    /**
     * An API whose answer about CSRs cannot be read, once the informer has synced: it stops for good, the
     * leader must not count as synced (it would be ready and observe nothing), and the informer started
     * afresh hands on every CSR again, as a new leader's would.
     */
    @Test
    void anInformerThatStopsForGoodIsNotSyncedAndStartedAfreshHandsOnEveryCsrAgain() {
        List<String> observed = new CopyOnWriteArrayList<>();
        try (ScriptedApi api = ScriptedApi.start(Answer.READABLE); KubernetesClient client = api.client()) {
            api.items(List.of(CSR));
            SnapshotInformer<CertificateSigningRequest> informer = new SnapshotInformer<>("CSRs",
                    () -> client.certificates().v1().certificateSigningRequests().runnableInformer(0),
                    (csr, deleted) -> observed.add(csr.getMetadata().getName()), Backoff.constant(Duration.ofSeconds(2)));
            informer.start();
            await().atMost(Duration.ofSeconds(20)).until(informer::synced);
            // Handed on by the informer's own thread after its store is synced.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(List.of("csr-1"), observed));

            api.answer(Answer.UNREADABLE_WATCH);
            await().atMost(Duration.ofSeconds(20)).until(informer::stopped);
            assertFalse(informer.synced(), "a stopped informer counts as synced");

            api.answer(Answer.READABLE);
            await().atMost(Duration.ofSeconds(20)).until(informer::synced);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(List.of("csr-1", "csr-1"), observed));
            informer.stop();
        }
    }

    @Test
    void anInformerStoppedOnLosingTheLeadIsNotStoppedForGood() {
        try (KubeEmulator api = KubeEmulator.startDefault(); KubernetesClient client = api.client("admin-token")) {
            SnapshotInformer<CertificateSigningRequest> informer = new SnapshotInformer<>("CSRs",
                    () -> client.certificates().v1().certificateSigningRequests().runnableInformer(0), (csr, deleted) -> { });
            informer.start();
            await().atMost(Duration.ofSeconds(20)).until(informer::synced);
            assertFalse(informer.stopped());
            informer.stop();
            assertFalse(informer.stopped(), "closed, not failed");
            assertFalse(informer.synced());
            assertTrue(informer.cached().isEmpty());
        }
    }
}
