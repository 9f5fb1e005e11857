package io.csrflow.watcher;

import static io.csrflow.watcher.PodCertificateTestSupport.create;
import static io.csrflow.watcher.PodCertificateTestSupport.ed25519;
import static io.csrflow.watcher.PodCertificateTestSupport.podOnNode;
import static io.csrflow.watcher.WatcherTestSupport.createKubeletCsr;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Every resync publishes every CSR and PodCertificateRequest again, unchanged, so that consumers
 * revisit requests still pending.
 */
@QuarkusTest
@TestProfile(ResyncTest.QuickResync.class)
class ResyncTest {
    public static class QuickResync implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "csr-watcher-token")));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("csrflow.watcher.resync", "2s");
        }
    }

    @InjectKubeEmulator
    KubeEmulator emulator;

    @Test
    void pendingRequestsArePublishedAgainAtEveryResync() {
        try (KubernetesClient admin = emulator.client("admin-token");
             EventProbe<CsrObserved> csrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_OBSERVED);
             EventProbe<PodCertificateObserved> pcrs = EventProbe.onDefaultTopic(KafkaBrokers.shared(),
                     EventType.POD_CERTIFICATE_OBSERVED)) {
            createKubeletCsr(admin, "resync-1", "worker-r");
            create(emulator, podOnNode(emulator, admin, "resync", "web", "worker-r"), "web-cert", ed25519(), Map.of());

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> csrs.matching(e -> e.name().equals("resync-1")).size() >= 3
                            && pcrs.matching(e -> e.key().equals("resync/web-cert")).size() >= 3);
            List<CsrObserved> csrEvents = csrs.matching(e -> e.name().equals("resync-1"));
            List<PodCertificateObserved> pcrEvents = pcrs.matching(e -> e.key().equals("resync/web-cert"));
            assertEquals(1, csrEvents.stream().map(CsrObserved::resourceVersion).distinct().count(), "unchanged");
            assertEquals(1, pcrEvents.stream().map(PodCertificateObserved::resourceVersion).distinct().count(),
                    "unchanged");
            assertEquals(List.of(CsrPhase.PENDING), csrEvents.stream().map(CsrObserved::phase).distinct().toList());
            assertEquals(List.of(PodCertificatePhase.PENDING),
                    pcrEvents.stream().map(PodCertificateObserved::phase).distinct().toList());
        }
    }
}
