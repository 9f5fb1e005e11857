package io.csrflow.watcher.kube;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Whether the API server serves PodCertificateRequests, from its discovery document for
 * {@code certificates.k8s.io/v1beta1}: Kubernetes serves them from 1.35, and only with the
 * PodCertificateRequest feature gate and the API enabled. A 404 for the group version, or a list
 * without the resource, is an answer; anything else (no answer, 5xx, 401, 403, 429) is not, and
 * is thrown so that the caller asks again.
 */
final class PodCertificateDiscovery {
    static final String GROUP = "certificates.k8s.io";
    static final String VERSION = "v1beta1";
    static final String GROUP_VERSION = GROUP + "/" + VERSION;
    static final String RESOURCE = "podcertificaterequests";
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(GROUP).withVersion(VERSION).withPlural(RESOURCE).withKind("PodCertificateRequest")
            .withNamespaced(true).build();
    private static final String NEEDS = "PodCertificateRequests need Kubernetes 1.35 or later with the "
            + "PodCertificateRequest feature gate and " + GROUP_VERSION + " enabled";

    /** What discovery said: served, or not and why. */
    record Answer(boolean served, String reason) {
        static Answer serving() {
            return new Answer(true, "the API server serves " + RESOURCE + " in " + GROUP_VERSION);
        }

        static Answer notServing(String why) {
            return new Answer(false, why + " (" + NEEDS + ")");
        }
    }

    private PodCertificateDiscovery() {
    }

    /** @throws KubernetesClientException when the API gave no answer about the group version */
    static Answer ask(KubernetesClient client) {
        APIResourceList resources;
        try {
            resources = client.getApiResources(GROUP_VERSION);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            resources = null;
        }
        if (resources == null) {
            return Answer.notServing("the API server does not serve " + GROUP_VERSION);
        }
        boolean served = resources.getResources() != null
                && resources.getResources().stream().anyMatch(r -> RESOURCE.equals(r.getName()));
        return served ? Answer.serving()
                : Answer.notServing("the API server serves " + GROUP_VERSION + " without " + RESOURCE);
    }
}
