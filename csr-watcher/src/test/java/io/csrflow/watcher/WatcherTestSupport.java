package io.csrflow.watcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
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

    /** Approved through {@code /approval} with the time the approval is to carry (the server keeps a given one). */
    static CertificateSigningRequest approveAt(KubernetesClient client, String name, Instant at) {
        String time = at.truncatedTo(ChronoUnit.SECONDS).toString();
        return client.certificates().v1().certificateSigningRequests().withName(name)
                .approve(new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True")
                        .withReason("AutoApproved").withMessage("approved by the test").withLastUpdateTime(time)
                        .withLastTransitionTime(time).build());
    }

    static CertificateSigningRequest deny(KubernetesClient client, String name) {
        return client.certificates().v1().certificateSigningRequests().withName(name).deny();
    }

    /** A Failed condition through {@code /status}, as a signer writes it. */
    static CertificateSigningRequest fail(KubernetesClient client, CertificateSigningRequest approved) {
        return client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                .editStatus().addToConditions(new CertificateSigningRequestConditionBuilder().withType("Failed")
                        .withStatus("True").withReason("SignerValidationFailure").withMessage("bad key").build())
                .endStatus().build()).updateStatus();
    }

    /** {@code status.certificate} through {@code /status}, as a signer writes it. */
    static CertificateSigningRequest issue(KubernetesClient client, CertificateSigningRequest approved, String pem) {
        return client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                .editStatus().withCertificate(base64(pem)).endStatus().build()).updateStatus();
    }

    /** A real certificate (Bouncy Castle) valid from {@code notBefore} to {@code notAfter}, as PEM. */
    static String certificate(Instant notBefore, Instant notAfter) {
        try {
            return Files.readString(TestCa.create(Files.createTempDirectory("watcher-cert"), "test", notBefore,
                    notAfter).certFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean exists(KubernetesClient client, String name) {
        return client.certificates().v1().certificateSigningRequests().withName(name).get() != null;
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
