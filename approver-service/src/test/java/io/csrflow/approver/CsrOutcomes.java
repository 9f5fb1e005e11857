package io.csrflow.approver;

import java.util.List;

import io.csrflow.events.CsrDecision;
import io.csrflow.testsupport.EventProbe;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What a user sees of a review: the CSR's condition, the Events on it, the last decision on the topic. */
final class CsrOutcomes {
    private CsrOutcomes() {
    }

    /** The CSR's first condition, or null while it is pending. */
    static CertificateSigningRequestCondition condition(KubernetesClient admin, String name) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
        return csr.getStatus() == null || csr.getStatus().getConditions() == null
                || csr.getStatus().getConditions().isEmpty() ? null : csr.getStatus().getConditions().get(0);
    }

    static CsrDecision lastDecision(EventProbe<CsrDecision> decisions, String name) {
        List<CsrDecision> found = decisions.matching(d -> d.csrName().equals(name));
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    /** The Events on the CSR, in the approver's event namespace of the tests. */
    static List<Event> events(KubernetesClient admin, String name) {
        return admin.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }
}
