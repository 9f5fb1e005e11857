package io.csrflow.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated example of each event type. */
final class SampleEvents {
    static final Instant T = Instant.parse("2026-11-28T10:00:00Z");
    static final Identity KUBELET = new Identity("kubernetes.io/kube-apiserver-client-kubelet", "system:node:worker-1");
    static final Identity WORKLOAD = Identity.workload("csrflow.io/workload-serving", "my-namespace", "default",
            "my-pod.my-namespace.pod.cluster.local");

    private SampleEvents() {
    }

    static CsrObserved observed() {
        return new CsrObserved("csr-abc", "uid-1", "42", "kubernetes.io/kubelet-serving",
                "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
                List.of("digital signature", "server auth"), 86400,
                new Requester("system:node:worker-1", "u-1", List.of("system:nodes", "system:authenticated"),
                        Map.of("scopes", List.of("a", "b"))),
                List.of(new CsrCondition("Approved", "True", "AutoApproved", "ok", T, T)),
                "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", CsrPhase.ISSUED, T.minusSeconds(60), T);
    }

    /** The last state of an Issued CSR, deleted by the watcher's cleaner an hour after approval. */
    static CsrObserved cleaned() {
        CsrObserved issued = observed();
        return new CsrObserved(issued.name(), issued.uid(), issued.resourceVersion(), issued.signerName(),
                issued.request(), issued.usages(), issued.expirationSeconds(), issued.requester(), issued.conditions(),
                issued.certificate(), CsrPhase.DELETED, issued.createdAt(), T.plusSeconds(3601))
                .withDeletedBecause(CsrDeletionReason.ISSUED_PAST_DEADLINE);
    }

    static CsrDecision decision() {
        return new CsrDecision("csr-abc", "uid-1", "42", "kubernetes.io/kubelet-serving", DecisionOutcome.DENIED,
                "kubelet-serving", "SanNotANodeAddress", "DNS name evil.example is not an address of node worker-1",
                List.of(new PolicyCheck("signature", true, "ECDSA P-256"),
                        new PolicyCheck("san-addresses", false, "evil.example")), "v7", T);
    }

    static CertIssued issued() {
        return new CertIssued(KUBELET, "csr-abc", "uid-1", "O=system:nodes,CN=system:node:worker-1",
                List.of("worker-1"), List.of("10.0.0.1"), "0a1b2c", T, T.plusSeconds(3600), "ff00",
                "CN=kubernetes", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", T);
    }

    /** The documentation's workload: a pod's serving certificate, requested by its ServiceAccount. */
    static CertIssued workloadIssued(Identity identity) {
        return new CertIssued(identity, "my-svc.my-namespace", "uid-2", "CN=my-pod.my-namespace.pod.cluster.local",
                List.of("my-svc.my-namespace.svc.cluster.local", "my-pod.my-namespace.pod.cluster.local"),
                List.of("172.168.0.24", "10.0.34.2"), "1f2e", T, T.plusSeconds(86400), "ee11", "CN=workload-ca",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", T);
    }

    static RenewalDue workloadRenewalDue(Identity identity) {
        return new RenewalDue(identity, null, "1f2e", T, T.plusSeconds(86400), T.plusSeconds(70000),
                RenewalReason.DUE, 1, T.plusSeconds(70000));
    }

    static RenewalDue renewalDue() {
        return new RenewalDue(KUBELET, "worker-1", "0a1b2c", T, T.plusSeconds(3600), T.plusSeconds(2800),
                RenewalReason.OVERDUE, 2, T.plusSeconds(2900));
    }

    /** A kubelet's PodCertificateRequest for pod my-pod, issued by a workload signer: every field set. */
    static PodCertificateObserved podCertificateIssued() {
        return new PodCertificateObserved("my-namespace", "my-pod-a1b2c", "uid-3", "1234",
                "csrflow.io/workload-serving", "my-pod", "pod-uid-1", "default", "sa-uid-1", "worker-1", "node-uid-1",
                86400, "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", "c2lnbmF0dXJl",
                Map.of("example.com/purpose", "metrics"),
                List.of(new PodCertificateCondition("Issued", "True", "Issued", "issued by csrflow", T)),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", T.minusSeconds(300),
                T.plusSeconds(43200), T.plusSeconds(86100), PodCertificatePhase.ISSUED, T.minusSeconds(2), T);
    }

    /** The same request as the watcher first sees it: spec only. */
    static PodCertificateObserved podCertificatePending() {
        PodCertificateObserved issued = podCertificateIssued();
        return new PodCertificateObserved(issued.namespace(), issued.name(), issued.uid(), "1233",
                issued.signerName(), issued.podName(), issued.podUid(), issued.serviceAccountName(),
                issued.serviceAccountUid(), issued.nodeName(), issued.nodeUid(), issued.maxExpirationSeconds(),
                issued.pkixPublicKey(), issued.proofOfPossession(), issued.unverifiedUserAnnotations(), null, null,
                null, null, null, PodCertificatePhase.PENDING, issued.createdAt(), T.minusSeconds(1));
    }

    static Map<EventType<?>, Object> all() {
        return Map.of(EventType.CSR_OBSERVED, observed(), EventType.CSR_DECISION, decision(),
                EventType.CERT_ISSUED, issued(), EventType.RENEWAL_DUE, renewalDue(),
                EventType.POD_CERTIFICATE_OBSERVED, podCertificateIssued());
    }
}
