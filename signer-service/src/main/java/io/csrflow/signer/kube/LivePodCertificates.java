package io.csrflow.signer.kube;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.service.ApiUnavailableException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;

/**
 * Live PodCertificateRequests (certificates.k8s.io/v1beta1; fabric8 has no model of that version, so
 * they are read as generic objects): read by namespace, name and uid, answered through
 * {@code /status} with the resourceVersion that was read, so that of two signers one writes and the
 * other finds the answer. The status is written once: Issued with the chain and its times, or
 * Denied or Failed with nothing but the condition, as the API requires.
 */
@ApplicationScoped
public class LivePodCertificates {
    public static final String API_VERSION = "certificates.k8s.io/v1beta1";
    public static final String KIND = "PodCertificateRequest";

    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE }

    /** The API refused the status as invalid (422): what the signer wrote breaks one of its rules. */
    public static final class StatusRefusedException extends RuntimeException {
        StatusRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final KubernetesClient client;
    private final Clock clock;

    LivePodCertificates(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The request if it still is {@code uid}; @throws ApiUnavailableException when the API does not answer */
    public Optional<GenericKubernetesResource> get(String namespace, String name, String uid) {
        GenericKubernetesResource live;
        try {
            live = requests(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new ApiUnavailableException("reading PodCertificateRequest " + namespace + "/" + name + " failed: "
                    + e.getMessage(), e);
        }
        if (live == null || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
            return Optional.empty();
        }
        return Optional.of(live);
    }

    /** @throws StatusRefusedException when the API refuses it */
    public Written issued(GenericKubernetesResource live, String chain, Instant notBefore, Instant notAfter,
            Instant beginRefreshAt, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", List.of(condition("Issued", "Issued", message)));
        status.put("certificateChain", chain);
        status.put("notBefore", notBefore.toString());
        status.put("beginRefreshAt", beginRefreshAt.toString());
        status.put("notAfter", notAfter.toString());
        return write(live, status);
    }

    /** A terminal Denied or Failed condition; @throws StatusRefusedException when the API refuses it */
    public Written refused(GenericKubernetesResource live, String type, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", List.of(condition(type, reason, message)));
        return write(live, status);
    }

    private Map<String, Object> condition(String type, String reason, String message) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", type);
        condition.put("status", "True");
        condition.put("reason", reason);
        // metav1.Condition messages are limited to 32768 characters.
        condition.put("message", message.length() > 32_000 ? message.substring(0, 32_000) + "…" : message);
        condition.put("lastTransitionTime", Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        return condition;
    }

    private Written write(GenericKubernetesResource live, Map<String, Object> status) {
        // A copy: never change an object someone else may hold.
        GenericKubernetesResource update = new GenericKubernetesResource();
        update.setApiVersion(API_VERSION);
        update.setKind(KIND);
        update.setMetadata(live.getMetadata());
        Map<String, Object> properties = new LinkedHashMap<>(live.getAdditionalProperties());
        properties.put("status", status);
        update.setAdditionalProperties(properties);
        String namespace = live.getMetadata().getNamespace();
        try {
            requests(namespace).resource(update).subresource("status").update();
            return Written.WRITTEN;
        } catch (KubernetesClientException e) {
            return switch (e.getCode()) {
                case 404 -> Written.GONE;
                case 409 -> Written.CONFLICT;
                case 422 -> throw new StatusRefusedException(e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage() : e.getMessage(), e);
                default -> throw new ApiUnavailableException("writing /status of PodCertificateRequest " + namespace
                        + "/" + live.getMetadata().getName() + " failed: " + e.getMessage(), e);
            };
        }
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> requests(String namespace) {
        return client.genericKubernetesResources(API_VERSION, KIND).inNamespace(namespace);
    }
}
