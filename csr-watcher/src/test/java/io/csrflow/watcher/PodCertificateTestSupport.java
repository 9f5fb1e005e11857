package io.csrflow.watcher;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.testsupport.EventProbe;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * PodCertificateRequests for the watcher's component tests, made as the API server admits them: a
 * kubelet ({@code system:node:<node>}) asks for a pod bound to its node, naming the node's, the pod's
 * and its ServiceAccount's uids, with an Ed25519 key and its signature over the pod's uid; an
 * administrator (who may sign for every signer) answers through {@code /status}.
 */
final class PodCertificateTestSupport {
    static final String SIGNER = "csrflow.io/workload-serving";
    static final ResourceDefinitionContext PCRS = new ResourceDefinitionContext.Builder()
            .withGroup("certificates.k8s.io").withVersion("v1beta1").withPlural("podcertificaterequests")
            .withKind("PodCertificateRequest").withNamespaced(true).build();

    /** A pod on a node, whose kubelet may ask for the pod's certificates. */
    record Pod(String namespace, String name, String uid, String serviceAccount, String serviceAccountUid, String node,
            String nodeUid, String kubeletToken) {
    }

    private PodCertificateTestSupport() {
    }

    static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> pcrs(KubernetesClient client) {
        return client.genericKubernetesResources(PCRS);
    }

    /** Pod {@code name} of ServiceAccount {@code workload} in {@code namespace} on {@code node}, made as needed. */
    static Pod podOnNode(KubeEmulator emulator, KubernetesClient admin, String namespace, String name, String node) {
        if (admin.namespaces().withName(namespace).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
        var account = admin.serviceAccounts().inNamespace(namespace).withName("workload").get();
        if (account == null) {
            account = admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                    .withNewMetadata().withName("workload").endMetadata().build()).create();
        }
        var nodeObject = admin.nodes().withName(node).get();
        if (nodeObject == null) {
            nodeObject = admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
                    .build()).create();
        }
        var pod = admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withNodeName(node).withServiceAccountName("workload")
                .addNewContainer().withName("app").withImage("nginx:1.25").endContainer().endSpec().build()).create();
        String token = "kubelet-" + node + "-token";
        emulator.addUser(new EmulatorConfig.User(token, "system:node:" + node, null,
                List.of("system:nodes", "system:authenticated"), null));
        return new Pod(namespace, name, pod.getMetadata().getUid(), "workload", account.getMetadata().getUid(), node,
                nodeObject.getMetadata().getUid(), token);
    }

    static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the kubelet sends: the key as base64 DER, and its signature over the pod's uid as proof. */
    static GenericKubernetesResource request(Pod pod, String name, KeyPair key, Map<String, String> annotations) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("signerName", SIGNER);
        spec.put("podName", pod.name());
        spec.put("podUID", pod.uid());
        spec.put("serviceAccountName", pod.serviceAccount());
        spec.put("serviceAccountUID", pod.serviceAccountUid());
        spec.put("nodeName", pod.node());
        spec.put("nodeUID", pod.nodeUid());
        spec.put("maxExpirationSeconds", 86400);
        spec.put("pkixPublicKey", Base64.getEncoder().encodeToString(key.getPublic().getEncoded()));
        spec.put("proofOfPossession", Base64.getEncoder().encodeToString(sign(key, pod.uid())));
        spec.put("unverifiedUserAnnotations", annotations);
        return new GenericKubernetesResourceBuilder().withApiVersion("certificates.k8s.io/v1beta1")
                .withKind("PodCertificateRequest").withNewMetadata().withName(name).withNamespace(pod.namespace())
                .endMetadata().addToAdditionalProperties("spec", spec).build();
    }

    /** Created by the pod's kubelet, as for a podCertificate volume. */
    static GenericKubernetesResource create(KubeEmulator emulator, Pod pod, String name, KeyPair key,
            Map<String, String> annotations) {
        try (KubernetesClient kubelet = emulator.client(pod.kubeletToken())) {
            return pcrs(kubelet).inNamespace(pod.namespace()).resource(request(pod, name, key, annotations)).create();
        }
    }

    /** A certificate for the request's key and the status that issues it, written through {@code /status}. */
    static Issued issue(KubernetesClient admin, GenericKubernetesResource pcr, KeyPair key) {
        Instant notBefore = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(Duration.ofHours(24));
        Instant beginRefreshAt = notBefore.plus(Duration.ofHours(18));
        String chain = certificate(key, notBefore, notAfter);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", List.of(condition("Issued", "Issued", "issued by the test")));
        status.put("certificateChain", chain);
        status.put("notBefore", notBefore.toString());
        status.put("beginRefreshAt", beginRefreshAt.toString());
        status.put("notAfter", notAfter.toString());
        updateStatus(admin, pcr, status);
        return new Issued(chain, notBefore, beginRefreshAt, notAfter);
    }

    record Issued(String chain, Instant notBefore, Instant beginRefreshAt, Instant notAfter) {
    }

    static void deny(KubernetesClient admin, GenericKubernetesResource pcr) {
        updateStatus(admin, pcr, Map.of("conditions", List.of(condition("Denied", "NotAllowed", "not for this pod"))));
    }

    static void fail(KubernetesClient admin, GenericKubernetesResource pcr) {
        updateStatus(admin, pcr, Map.of("conditions", List.of(condition("Failed", "SignerUnavailable", "no CA"))));
    }

    static void delete(KubernetesClient admin, GenericKubernetesResource pcr) {
        pcrs(admin).inNamespace(pcr.getMetadata().getNamespace()).withName(pcr.getMetadata().getName()).delete();
    }

    private static void updateStatus(KubernetesClient admin, GenericKubernetesResource pcr,
            Map<String, Object> status) {
        GenericKubernetesResource live = pcrs(admin).inNamespace(pcr.getMetadata().getNamespace())
                .withName(pcr.getMetadata().getName()).get();
        GenericKubernetesResource answered = new GenericKubernetesResourceBuilder(live).build();
        answered.setAdditionalProperty("status", status);
        pcrs(admin).inNamespace(pcr.getMetadata().getNamespace()).resource(answered).updateStatus();
    }

    private static Map<String, Object> condition(String type, String reason, String message) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", type);
        condition.put("status", "True");
        condition.put("reason", reason);
        condition.put("message", message);
        condition.put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return condition;
    }

    private static byte[] sign(KeyPair key, String podUid) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key.getPrivate());
            signature.update(podUid.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leaf for {@code key}, signed by a throwaway P-256 CA, as PEM. */
    private static String certificate(KeyPair key, Instant notBefore, Instant notAfter) {
        try {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(256);
            KeyPair ca = ec.generateKeyPair();
            var holder = new JcaX509v3CertificateBuilder(new X500Name("CN=test workload CA"),
                    BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=pod"), key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate()));
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(holder);
            }
            return pem.toString();
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The phases published for one request, consecutive repeats folded (at-least-once may repeat). */
    static List<PodCertificatePhase> phasesOf(EventProbe<PodCertificateObserved> probe, String key) {
        List<PodCertificatePhase> phases = new ArrayList<>();
        for (PodCertificateObserved event : probe.matching(e -> e.key().equals(key))) {
            if (phases.isEmpty() || phases.get(phases.size() - 1) != event.phase()) {
                phases.add(event.phase());
            }
        }
        return phases;
    }

    static PodCertificateObserved latest(EventProbe<PodCertificateObserved> probe, String key) {
        List<PodCertificateObserved> events = probe.matching(e -> e.key().equals(key));
        return events.isEmpty() ? null : events.get(events.size() - 1);
    }
}
