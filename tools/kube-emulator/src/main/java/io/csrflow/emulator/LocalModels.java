package io.csrflow.emulator;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Types of kinds the emulator serves that fabric8's model (7.5, Kubernetes 1.34) does not have yet,
 * written as fabric8 writes its own, so that the OpenAPI documents ({@link ModelSchemas}), server-side
 * field validation and the dropping of unknown fields treat them as every other kind: today
 * {@code certificates.k8s.io/v1beta1} PodCertificateRequest as Kubernetes 1.35 defines it. Times are
 * strings, as fabric8 models {@code metav1.Time}.
 */
final class LocalModels {
    private static final String V1BETA1 = "io.k8s.api.certificates.v1beta1.";
    private static final Map<Class<?>, String> DEFINITIONS = Map.of(
            PodCertificateRequest.class, V1BETA1 + "PodCertificateRequest",
            PodCertificateRequestSpec.class, V1BETA1 + "PodCertificateRequestSpec",
            PodCertificateRequestStatus.class, V1BETA1 + "PodCertificateRequestStatus");

    private LocalModels() {
    }

    /** The local model of a kind, or null. */
    static Class<? extends KubernetesResource> of(String groupVersion, String kind) {
        return groupVersion.equals("certificates.k8s.io/v1beta1") && kind.equals("PodCertificateRequest")
                ? PodCertificateRequest.class : null;
    }

    /** The OpenAPI definition name of a local type, or null for any other type. */
    static String definitionName(Class<?> type) {
        return DEFINITIONS.get(type);
    }

    /** {@code certificates/v1beta1.PodCertificateRequest}. */
    public static final class PodCertificateRequest implements KubernetesResource {
        public String apiVersion;
        public String kind;
        public ObjectMeta metadata;
        public PodCertificateRequestSpec spec;
        public PodCertificateRequestStatus status;
    }

    /** {@code certificates/v1beta1.PodCertificateRequestSpec}; the two keys' fields are bytes, base64 in JSON. */
    public static final class PodCertificateRequestSpec implements KubernetesResource {
        public String signerName;
        public String podName;
        public String podUID;
        public String serviceAccountName;
        public String serviceAccountUID;
        public String nodeName;
        public String nodeUID;
        public Integer maxExpirationSeconds;
        public String pkixPublicKey;
        public String proofOfPossession;
        public Map<String, String> unverifiedUserAnnotations;
    }

    /** {@code certificates/v1beta1.PodCertificateRequestStatus}. */
    public static final class PodCertificateRequestStatus implements KubernetesResource {
        public List<Condition> conditions;
        public String certificateChain;
        public String notBefore;
        public String beginRefreshAt;
        public String notAfter;
    }
}
