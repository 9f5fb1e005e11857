package io.csrflow.watcher;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Helpers shared by the watcher's component tests. */
final class WatcherTestSupport {
    private WatcherTestSupport() {
    }

    static CertificateSigningRequest createKubeletCsr(KubernetesClient client, String name, String node) {
        return client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withRequest(TestCsrs.kubelet(node).base64Pem())
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withUsages("digital signature", "client auth").endSpec().build()).create();
    }

    static CertificateSigningRequest approve(KubernetesClient client, String name) {
        return CsrSubmitter.approve(client, name, "AutoApproved", "approved by the test");
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** The phases published for one CSR, consecutive repeats folded (at-least-once may repeat). */
    static List<CsrPhase> phasesOf(EventProbe<CsrObserved> probe, String name) {
        List<CsrPhase> phases = new ArrayList<>();
        for (CsrObserved event : probe.matching(e -> e.name().equals(name))) {
            if (phases.isEmpty() || phases.get(phases.size() - 1) != event.phase()) {
                phases.add(event.phase());
            }
        }
        return phases;
    }

    static CsrObserved latest(EventProbe<CsrObserved> probe, String name) {
        List<CsrObserved> events = probe.matching(e -> e.name().equals(name));
        return events.isEmpty() ? null : events.get(events.size() - 1);
    }
}
