package io.csrflow.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.csrflow.events.PodCertificateCondition;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Turns a PodCertificateRequest read from the API into the {@code pcr.observed} snapshot; reads,
 * never modifies it. fabric8 7.5 models only v1alpha1, so the object comes as a generic resource
 * whose spec and status are the API's JSON as maps. Field names are the API's
 * ({@code podUID}, {@code nodeUID}, ...); binary fields ({@code pkixPublicKey},
 * {@code proofOfPossession}) stay the base64 strings the JSON carries; times are RFC 3339; a field
 * that is absent, or not of its type, is null.
 */
public final class PodCertificateSnapshots {
    private PodCertificateSnapshots() {
    }

    /**
     * @throws io.csrflow.events.MissingFieldException if a field the contract requires is absent
     *         (the API server never serves such an object)
     */
    public static PodCertificateObserved of(GenericKubernetesResource pcr, boolean deleted, Instant observedAt) {
        ObjectMeta meta = pcr.getMetadata();
        Map<String, Object> spec = object(pcr.getAdditionalProperties().get("spec"));
        Map<String, Object> status = object(pcr.getAdditionalProperties().get("status"));
        List<PodCertificateCondition> conditions = list(status.get("conditions")).stream()
                .map(PodCertificateSnapshots::object)
                .map(c -> new PodCertificateCondition(string(c, "type"), string(c, "status"), string(c, "reason"),
                        string(c, "message"), instant(c.get("lastTransitionTime"))))
                .toList();
        return new PodCertificateObserved(
                meta.getNamespace(),
                meta.getName(),
                meta.getUid(),
                meta.getResourceVersion(),
                string(spec, "signerName"),
                string(spec, "podName"),
                string(spec, "podUID"),
                string(spec, "serviceAccountName"),
                string(spec, "serviceAccountUID"),
                string(spec, "nodeName"),
                string(spec, "nodeUID"),
                integer(spec.get("maxExpirationSeconds")),
                string(spec, "pkixPublicKey"),
                string(spec, "proofOfPossession"),
                stringMap(spec.get("unverifiedUserAnnotations")),
                conditions,
                string(status, "certificateChain"),
                instant(status.get("notBefore")),
                instant(status.get("beginRefreshAt")),
                instant(status.get("notAfter")),
                deleted ? PodCertificatePhase.DELETED : PodCertificatePhase.of(conditions),
                instant(meta.getCreationTimestamp()),
                observedAt);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }

    private static String string(Map<String, Object> object, String field) {
        return object.get(field) instanceof String s ? s : null;
    }

    /** A JSON integer that fits; anything else (a fraction, a string, out of range) is null. */
    private static Integer integer(Object value) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        return null;
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> strings = new LinkedHashMap<>();
        object(value).forEach((k, v) -> {
            if (v instanceof String s) {
                strings.put(k, s);
            }
        });
        return strings;
    }

    /** metav1.Time is RFC 3339 (the API server writes UTC, {@code Z}); an offset is read too. */
    private static Instant instant(Object value) {
        if (!(value instanceof String time) || time.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
