package io.csrflow.service;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.csrflow.events.PodCertificateCondition;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * Turns a PodCertificateRequest read from the Kubernetes API (informer or GET; a generic object,
 * since fabric8 has no model of certificates.k8s.io/v1beta1) into the {@code pcr.observed} snapshot;
 * reads, never modifies it. Byte fields stay base64 as the API's JSON carries them; a field of the
 * wrong JSON type reads as absent, and the event's own checks then name it.
 */
public final class PodCertificateSnapshots {
    private PodCertificateSnapshots() {
    }

    public static PodCertificateObserved of(GenericKubernetesResource request, boolean deleted, Instant observedAt) {
        Map<String, Object> spec = map(request.getAdditionalProperties().get("spec"));
        Map<String, Object> status = map(request.getAdditionalProperties().get("status"));
        List<PodCertificateCondition> conditions = list(status.get("conditions")).stream()
                .map(PodCertificateSnapshots::map)
                .filter(c -> text(c.get("type")) != null && text(c.get("status")) != null)
                .map(c -> new PodCertificateCondition(text(c.get("type")), text(c.get("status")), text(c.get("reason")),
                        text(c.get("message")), instant(c.get("lastTransitionTime"))))
                .toList();
        Map<String, String> annotations = new LinkedHashMap<>();
        map(spec.get("unverifiedUserAnnotations")).forEach((k, v) -> annotations.put(k, String.valueOf(v)));
        Object max = spec.get("maxExpirationSeconds");
        return new PodCertificateObserved(
                request.getMetadata().getNamespace(),
                request.getMetadata().getName(),
                request.getMetadata().getUid(),
                request.getMetadata().getResourceVersion(),
                text(spec.get("signerName")),
                text(spec.get("podName")),
                text(spec.get("podUID")),
                text(spec.get("serviceAccountName")),
                text(spec.get("serviceAccountUID")),
                text(spec.get("nodeName")),
                text(spec.get("nodeUID")),
                max instanceof Number n ? n.intValue() : null,
                text(spec.get("pkixPublicKey")),
                text(spec.get("proofOfPossession")),
                annotations,
                conditions,
                text(status.get("certificateChain")),
                instant(status.get("notBefore")),
                instant(status.get("beginRefreshAt")),
                instant(status.get("notAfter")),
                deleted ? PodCertificatePhase.DELETED : PodCertificatePhase.of(conditions),
                instant(request.getMetadata().getCreationTimestamp()),
                observedAt);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }

    private static Instant instant(Object time) {
        if (!(time instanceof String text) || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
