package io.csrflow.fleet;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What a cluster holds for a workload, or for a pod with a {@code podCertificate} volume, before
 * a certificate is asked for, made through the API with an administrator's credentials, each object
 * as the component that owns it would write it: the Namespace, ServiceAccount, Pod and Service as
 * {@code kubectl apply} does (a pod certificate's Pod already bound to its node, as the scheduler
 * binds it), the Pod's status (its IP) as its kubelet does, the EndpointSlice as the EndpointSlice
 * controller does. Existing objects are kept, so a restarted simulator finds its pods again.
 */
final class WorkloadObjects {
    private static final String APP = "app.kubernetes.io/name";
    private static final String PART_OF = "app.kubernetes.io/part-of";
    private static final long TOKEN_SECONDS = 3600;
    private static final String CSR_REQUESTER = "csrflow-fleet:csr-requester";

    private final KubernetesClient admin;

    WorkloadObjects(KubernetesClient admin) {
        this.admin = admin;
    }

    /** The identifiers the workload's request needs: its Pod's uid and its Service's cluster IPs. */
    record Placed(String podUid, List<String> clusterIps) {
    }

    Placed place(WorkloadSpec spec) {
        namespace(spec.namespace());
        allowCsrs(spec.namespace());
        serviceAccount(spec.namespace(), spec.serviceAccount());
        Pod pod = running(pod(new PodBuilder()
                .withNewMetadata().withName(spec.pod()).withNamespace(spec.namespace())
                .addToLabels(APP, spec.service()).endMetadata()
                .withNewSpec().withServiceAccountName(spec.serviceAccount())
                .addNewContainer().withName("app").withImage("registry.example/" + spec.service() + ":1").endContainer()
                .endSpec().build()), spec.podIp());
        Service service = createIfMissing(() -> admin.services().inNamespace(spec.namespace()).resource(new ServiceBuilder()
                .withNewMetadata().withName(spec.service()).endMetadata()
                .withNewSpec().withSelector(Map.of(APP, spec.service()))
                .addNewPort().withName("https").withPort(443).withNewTargetPort(8443).withProtocol("TCP").endPort()
                .endSpec().build()).create(),
                () -> admin.services().inNamespace(spec.namespace()).withName(spec.service()).get());
        String podUid = pod.getMetadata().getUid();
        createIfMissing(() -> admin.discovery().v1().endpointSlices().inNamespace(spec.namespace())
                .resource(new EndpointSliceBuilder().withNewMetadata().withName(spec.service() + "-sim")
                        .addToLabels("kubernetes.io/service-name", spec.service())
                        .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                        .endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint().withAddresses(spec.podIp()).withNewConditions().withReady(true).endConditions()
                        .withNewTargetRef().withKind("Pod").withNamespace(spec.namespace()).withName(spec.pod())
                        .withUid(podUid).endTargetRef().endEndpoint()
                        .addNewPort().withName("https").withPort(8443).withProtocol("TCP").endPort()
                        .build()).create());
        return new Placed(podUid, service.getSpec().getClusterIPs() == null || service.getSpec().getClusterIPs().isEmpty()
                ? List.of(service.getSpec().getClusterIP()) : service.getSpec().getClusterIPs());
    }

    /** The identifiers a pod certificate request carries that only the cluster assigns. */
    record PlacedPod(String podUid, String serviceAccountUid) {
    }

    /**
     * A pod with a {@code podCertificate} projected volume, bound to its node as the scheduler binds
     * it, running with its IP as its kubelet reports it. A kubelet asks only for pods that mount such a
     * volume of the signer it asks.
     */
    PlacedPod placeCertificatePod(PodCertificateSpec spec, String signerName, Integer maxExpirationSeconds) {
        namespace(spec.namespace());
        ServiceAccount serviceAccount = serviceAccount(spec.namespace(), spec.serviceAccount());
        Pod pod = running(pod(new PodBuilder()
                .withNewMetadata().withName(spec.pod()).withNamespace(spec.namespace())
                .addToLabels(APP, spec.pod()).endMetadata()
                .withNewSpec().withNodeName(spec.node()).withServiceAccountName(spec.serviceAccount())
                .addNewContainer().withName("app").withImage("registry.example/" + spec.pod() + ":1")
                .addNewVolumeMount().withName(PodCertificateSpec.VOLUME).withMountPath("/var/run/pod-certificate")
                .withReadOnly(true).endVolumeMount().endContainer()
                .addNewVolume().withName(PodCertificateSpec.VOLUME).withNewProjected()
                .addNewSource().withNewPodCertificate().withSignerName(signerName).withKeyType(spec.keyType().name())
                .withMaxExpirationSeconds(maxExpirationSeconds)
                .withCredentialBundlePath(PodCertificateSpec.CREDENTIAL_BUNDLE_PATH).endPodCertificate().endSource()
                .endProjected().endVolume()
                .endSpec().build()), spec.podIp());
        return new PlacedPod(pod.getMetadata().getUid(), serviceAccount.getMetadata().getUid());
    }

    private void namespace(String namespace) {
        createIfMissing(() -> admin.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(namespace).addToLabels(PART_OF, "csrflow-fleet-simulator").endMetadata().build()).create());
    }

    private ServiceAccount serviceAccount(String namespace, String name) {
        return createIfMissing(() -> admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName(name).endMetadata().build()).create(),
                () -> admin.serviceAccounts().inNamespace(namespace).withName(name).get());
    }

    private Pod pod(Pod desired) {
        String namespace = desired.getMetadata().getNamespace();
        return createIfMissing(() -> admin.pods().inNamespace(namespace).resource(desired).create(),
                () -> admin.pods().inNamespace(namespace).withName(desired.getMetadata().getName()).get());
    }

    /** The pod with the status its kubelet reports once it runs: phase Running and its IP. */
    private Pod running(Pod pod, String podIp) {
        if (pod.getStatus() != null && podIp.equals(pod.getStatus().getPodIP())) {
            return pod;
        }
        return admin.pods().inNamespace(pod.getMetadata().getNamespace()).resource(new PodBuilder(pod).editOrNewStatus()
                .withPhase("Running").withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build()).endStatus()
                .build()).updateStatus();
    }

    /**
     * What a cluster administrator grants workloads that ask for certificates: create and follow
     * CSRs, for the ServiceAccounts of the simulator's namespaces only.
     */
    private void allowCsrs(String namespace) {
        createIfMissing(() -> admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
                .withName(CSR_REQUESTER).addToLabels(PART_OF, "csrflow-fleet-simulator").endMetadata()
                .addNewRule().withApiGroups("certificates.k8s.io").withResources("certificatesigningrequests")
                .withVerbs("create", "get", "list", "watch").endRule().build()).create());
        createIfMissing(() -> admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
                .withNewMetadata().withName(CSR_REQUESTER + ":" + namespace)
                .addToLabels(PART_OF, "csrflow-fleet-simulator").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(CSR_REQUESTER).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName("system:serviceaccounts:" + namespace).endSubject().build()).create());
    }

    /** A token of the workload's ServiceAccount bound to its Pod, as the kubelet projects into the Pod. */
    String token(WorkloadSpec spec, String podUid) {
        return admin.serviceAccounts().inNamespace(spec.namespace()).withName(spec.serviceAccount())
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS)
                        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(spec.pod())
                        .withUid(podUid).endBoundObjectRef().endSpec().build())
                .getStatus().getToken();
    }

    /** The CA bundle ({@code ca.crt}) published in the workload's namespace, or null while there is none. */
    String namespaceBundle(String namespace, String configMap) {
        var found = admin.configMaps().inNamespace(namespace).withName(configMap).get();
        return found == null || found.getData() == null ? null : found.getData().get("ca.crt");
    }

    private static <T> T createIfMissing(Supplier<T> create) {
        return createIfMissing(create, () -> null);
    }

    private static <T> T createIfMissing(Supplier<T> create, Supplier<T> existing) {
        try {
            return create.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return existing.get();
        }
    }
}
