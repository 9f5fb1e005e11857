package io.csrflow.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code io.csrflow.pcr.observed.v1}: a full snapshot of one PodCertificateRequest
 * (certificates.k8s.io/v1beta1, a kubelet asking for a pod's {@code podCertificate} volume) as the
 * watcher saw it, keyed by {@code namespace/name}. When a kubelet created it, the API server's
 * NodeRestriction admission has checked that the node, the pod and its service account match, so
 * {@code podName}, {@code serviceAccountName} and {@code nodeName} say who asks; anyone else RBAC
 * lets create them is not held to that, so a signer confirms them against the live Pod.
 * {@code pkixPublicKey} and {@code proofOfPossession} are base64 as in the API's JSON. The status
 * fields are present once the request is issued.
 */
public record PodCertificateObserved(
        String namespace,
        String name,
        String uid,
        String resourceVersion,
        String signerName,
        String podName,
        String podUid,
        String serviceAccountName,
        String serviceAccountUid,
        String nodeName,
        String nodeUid,
        Integer maxExpirationSeconds,
        String pkixPublicKey,
        String proofOfPossession,
        Map<String, String> unverifiedUserAnnotations,
        List<PodCertificateCondition> conditions,
        String certificateChain,
        Instant notBefore,
        Instant beginRefreshAt,
        Instant notAfter,
        PodCertificatePhase phase,
        Instant createdAt,
        Instant observedAt) {

    public PodCertificateObserved {
        Require.field(namespace, "namespace");
        Require.field(name, "name");
        Require.field(uid, "uid");
        Require.field(resourceVersion, "resourceVersion");
        Require.field(signerName, "signerName");
        Require.field(podName, "podName");
        Require.field(serviceAccountName, "serviceAccountName");
        Require.field(nodeName, "nodeName");
        Require.field(phase, "phase");
        Require.field(observedAt, "observedAt");
        conditions = Require.list(conditions);
        unverifiedUserAnnotations = Require.map(unverifiedUserAnnotations);
    }

    /** The Kafka key and CloudEvents subject: {@code namespace/name}, unique as the API's object key is. */
    public String key() {
        return namespace + "/" + name;
    }
}
