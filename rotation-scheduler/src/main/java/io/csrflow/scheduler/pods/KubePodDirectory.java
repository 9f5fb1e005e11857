package io.csrflow.scheduler.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Pods by a GET each (needs {@code get} on {@code pods}); read by status code, never by message. The
 * lookups run inside a stream task's tick, whose Kafka transaction must not outlast its timeout, so
 * they go through a client of their own, with the service's credentials but short timeouts and no
 * retries (the service's client retries a refused connection for about 20 s): an API that does not
 * answer costs a few seconds, then the certificate waits for the next try.
 */
public final class KubePodDirectory implements PodDirectory, AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int REQUEST_TIMEOUT_MS = 3_000;

    private final KubernetesClient client;

    /** @param service the service's client, whose API server and credentials the lookups use */
    public KubePodDirectory(KubernetesClient service) {
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(service.getConfiguration())
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(CONNECT_TIMEOUT_MS)
                .withRequestTimeout(REQUEST_TIMEOUT_MS).build()).build();
    }

    @Override
    public Answer lookup(String namespace, String name, String uid) {
        Pod pod;
        try {
            pod = client.pods().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            String why = e.getCode() > 0 ? "the API answered HTTP " + e.getCode() : "the API is not reachable";
            return new Answer(Presence.UNKNOWN, why + " (" + e.getMessage() + ")");
        }
        if (pod == null) {
            return new Answer(Presence.GONE, "no such pod");
        }
        String found = pod.getMetadata().getUid();
        if (uid != null && !uid.equals(found)) {
            return new Answer(Presence.REPLACED, "a pod of that name with uid " + found);
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new Answer(Presence.FINISHED, "being deleted since " + pod.getMetadata().getDeletionTimestamp());
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return new Answer(Presence.FINISHED, "phase " + phase);
        }
        return new Answer(Presence.PRESENT, phase == null ? "no phase yet" : "phase " + phase);
    }

    @Override
    public void close() {
        client.close();
    }
}
