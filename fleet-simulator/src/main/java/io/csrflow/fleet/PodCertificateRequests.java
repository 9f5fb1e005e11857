package io.csrflow.fleet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundle;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The kubelet's side of {@code certificates.k8s.io/v1beta1} PodCertificateRequests, as its pod
 * certificate manager writes and reads them: the request named by {@code generateName: req-} and
 * owned by the pod, created with the node's own credentials, then read by name until it carries one
 * of the terminal conditions; and the signer's ClusterTrustBundles a pod's clients would trust.
 * fabric8 7.5 has no model for the v1beta1 kind, so the request is a generic resource.
 */
final class PodCertificateRequests {
    static final String API_VERSION = "certificates.k8s.io/v1beta1";
    static final String GENERATE_NAME = "req-";
    /** What the kubelet writes as the owner's apiVersion (not "v1"), copied so the API sees what it sees from kubelets. */
    static final String OWNER_API_VERSION = "core/v1";
    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("certificates.k8s.io").withVersion("v1beta1").withKind("PodCertificateRequest")
            .withPlural("podcertificaterequests").withNamespaced(true).build();
    private static final List<String> TERMINAL = List.of("Issued", "Denied", "Failed");

    private final ScheduledExecutorService scheduler;
    private final Poller poller;

    PodCertificateRequests(ScheduledExecutorService scheduler, Poller poller) {
        this.scheduler = scheduler;
        this.poller = poller;
    }

    /** Who asks, for which pod: the identifiers the API checks against the Pod, its ServiceAccount and the Node. */
    record Subject(String namespace, String podName, String podUid, String serviceAccountName,
                   String serviceAccountUid, String nodeName, String nodeUid) {
    }

    /**
     * The pod as its kubelet knows it, read with the node's credentials: the Pod (bound to the node,
     * so the Node authorizer lets the node read it), its ServiceAccount for the UID, and the node's own
     * Node.
     */
    static Subject lookUp(KubernetesClient node, String nodeName, String namespace, String podName) {
        Pod pod = node.pods().inNamespace(namespace).withName(podName).get();
        if (pod == null) {
            throw new IllegalStateException("pod " + namespace + "/" + podName + " is not there (yet)");
        }
        String serviceAccountName = pod.getSpec().getServiceAccountName();
        ServiceAccount serviceAccount = node.serviceAccounts().inNamespace(namespace).withName(serviceAccountName).get();
        if (serviceAccount == null) {
            throw new IllegalStateException("service account " + namespace + "/" + serviceAccountName + " is not there (yet)");
        }
        return new Subject(namespace, podName, pod.getMetadata().getUid(), serviceAccountName,
                serviceAccount.getMetadata().getUid(), nodeName, nodeUid(node, nodeName));
    }

    /** The UID of the node's own Node object. */
    static String nodeUid(KubernetesClient node, String nodeName) {
        Node own = node.nodes().withName(nodeName).get();
        if (own == null) {
            throw new IllegalStateException("node " + nodeName + " is not registered (yet)");
        }
        return own.getMetadata().getUid();
    }

    /** The request as the kubelet's {@code createPodCertificateRequest} builds it. */
    static GenericKubernetesResource build(Subject subject, String signerName, Integer maxExpirationSeconds,
            byte[] pkixPublicKey, byte[] proofOfPossession) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("signerName", signerName);
        spec.put("podName", subject.podName());
        spec.put("podUID", subject.podUid());
        spec.put("serviceAccountName", subject.serviceAccountName());
        spec.put("serviceAccountUID", subject.serviceAccountUid());
        spec.put("nodeName", subject.nodeName());
        spec.put("nodeUID", subject.nodeUid());
        if (maxExpirationSeconds != null) {
            spec.put("maxExpirationSeconds", maxExpirationSeconds);
        }
        spec.put("pkixPublicKey", Base64.getEncoder().encodeToString(pkixPublicKey));
        spec.put("proofOfPossession", Base64.getEncoder().encodeToString(proofOfPossession));
        return new GenericKubernetesResourceBuilder().withApiVersion(API_VERSION).withKind(CONTEXT.getKind())
                .withNewMetadata().withNamespace(subject.namespace()).withGenerateName(GENERATE_NAME)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(OWNER_API_VERSION).withKind("Pod")
                        .withName(subject.podName()).withUid(subject.podUid()).build())
                .endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
    }

    /**
     * Creates {@code request} as {@code client}'s user and waits for its terminal condition. A 4xx from
     * the create (Forbidden by NodeRestriction, Invalid by validation) is the API's answer and comes
     * back as {@link PodCertificateOutcome.Refused}; anything else fails the future.
     */
    CompletableFuture<PodCertificateOutcome> submit(KubernetesClient client, GenericKubernetesResource request) {
        String namespace = request.getMetadata().getNamespace();
        return CompletableFuture.supplyAsync(() -> create(client, request), scheduler).thenCompose(creation -> {
            if (creation.refused() != null) {
                return CompletableFuture.completedFuture(creation.refused());
            }
            String name = creation.name();
            return poller.await("PodCertificateRequest " + namespace + "/" + name + " got no Issued, Denied or Failed",
                    () -> {
                        GenericKubernetesResource current = client.genericKubernetesResources(CONTEXT)
                                .inNamespace(namespace).withName(name).get();
                        if (current == null) {
                            throw new IllegalStateException("PodCertificateRequest " + namespace + "/" + name + " is gone");
                        }
                        return outcomeOf(current);
                    });
        });
    }

    /** The name the API gave the request, or its refusal to create it. */
    private record Creation(String name, PodCertificateOutcome.Refused refused) {
    }

    private static Creation create(KubernetesClient client, GenericKubernetesResource request) {
        try {
            GenericKubernetesResource created = client.genericKubernetesResources(CONTEXT)
                    .inNamespace(request.getMetadata().getNamespace()).resource(request).create();
            return new Creation(created.getMetadata().getName(), null);
        } catch (KubernetesClientException e) {
            if (!refusal(e.getCode())) {
                throw e;
            }
            var status = e.getStatus();
            return new Creation(null, new PodCertificateOutcome.Refused(null, Integer.toString(e.getCode()),
                    status == null ? null : status.getReason(), status == null ? e.getMessage() : status.getMessage()));
        }
    }

    /** A client error that asking again does not change; conflicts and throttling are not. */
    private static boolean refusal(int code) {
        return code >= 400 && code < 500 && code != 408 && code != 409 && code != 429;
    }

    /** The terminal outcome of a request, or null while it has none. */
    static PodCertificateOutcome outcomeOf(GenericKubernetesResource request) {
        String name = request.getMetadata().getName();
        List<Map<String, Object>> conditions = request.get("status", "conditions");
        if (conditions == null) {
            return null;
        }
        for (Map<String, Object> condition : conditions) {
            Object type = condition.get("type");
            if (!TERMINAL.contains(type) || !"True".equals(condition.get("status"))) {
                continue;
            }
            if (!"Issued".equals(type)) {
                return new PodCertificateOutcome.Refused(name, (String) type, (String) condition.get("reason"),
                        (String) condition.get("message"));
            }
            return new PodCertificateOutcome.Issued(name, request.get("status", "certificateChain"),
                    instant(request.get("status", "notBefore")), instant(request.get("status", "beginRefreshAt")),
                    instant(request.get("status", "notAfter")));
        }
        return null;
    }

    private static Instant instant(Object rfc3339) {
        return rfc3339 == null ? null : OffsetDateTime.parse(rfc3339.toString()).toInstant();
    }

    /**
     * The PEM trust bundles of {@code signerName}'s ClusterTrustBundles, as the kubelet reads them for
     * a {@code clusterTrustBundle} projection. Filtered here as well, since not every API server
     * honours the field selector.
     */
    static List<String> trustBundles(KubernetesClient client, String signerName) {
        return client.resources(ClusterTrustBundle.class).withField("spec.signerName", signerName).list().getItems()
                .stream()
                .filter(bundle -> bundle.getSpec() != null && signerName.equals(bundle.getSpec().getSignerName()))
                .map(bundle -> bundle.getSpec().getTrustBundle())
                .toList();
    }
}
