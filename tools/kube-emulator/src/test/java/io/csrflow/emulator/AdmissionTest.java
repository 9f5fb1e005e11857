package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The admission plugins kube-apiserver enables for CSRs and kubelets: CertificateApproval,
 * CertificateSigning, CertificateSubjectRestriction and NodeRestriction, each allowing and refusing
 * with the API server's 403.
 */
class AdmissionTest {
    private static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final String FORBIDDEN_CSR = "certificatesigningrequests.certificates.k8s.io \"%s\" is forbidden: ";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static KubernetesClient admin;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
        PolicyRule approval = new PolicyRuleBuilder().withApiGroups("certificates.k8s.io")
                .withResources("certificatesigningrequests/approval").withVerbs("update").build();
        PolicyRule status = new PolicyRuleBuilder().withApiGroups("certificates.k8s.io")
                .withResources("certificatesigningrequests/status").withVerbs("update").build();
        // Clients read a CSR before they write its approval or status.
        PolicyRule read = new PolicyRuleBuilder().withApiGroups("certificates.k8s.io")
                .withResources("certificatesigningrequests").withVerbs("get").build();
        grant("approves-kubelet-clients", read, approval, signers("approve", KUBELET_CLIENT));
        grant("approves-kubernetes-io", read, approval, signers("approve", "kubernetes.io/*"));
        grant("approves-nothing", read, approval);
        grant("signs-kubelet-clients", read, status, signers("sign", KUBELET_CLIENT));
        grant("signs-nothing", read, status);
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    private static PolicyRule signers(String verb, String name) {
        return new PolicyRuleBuilder().withApiGroups("certificates.k8s.io").withResources("signers")
                .withResourceNames(name).withVerbs(verb).build();
    }

    /** A user named like its role, with a token of that name, bound to a ClusterRole of these rules. */
    private static void grant(String user, PolicyRule... rules) {
        emulator.addUser(new EmulatorConfig.User(user, user, null, List.of(), null));
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(user).endMetadata()
                .withRules(rules).build()).create();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(user)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", user).addNewSubject()
                .withKind("User").withName(user).withApiGroup("rbac.authorization.k8s.io").endSubject().build())
                .create();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static CertificateSigningRequest csr(String name, String signer, String subject) {
        return new CertificateSigningRequestBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(base64(Openssl.csr(dir, subject))).withSignerName(signer)
                .withUsages("digital signature", "client auth").endSpec().build();
    }

    private static String created(String signer) {
        String name = "admission-" + NAMES.incrementAndGet();
        admin.certificates().v1().certificateSigningRequests().resource(csr(name, signer, "/O=system:nodes/CN="
                + "system:node:worker-1")).create();
        return name;
    }

    /** Runs {@code action} with the client of {@code token}: null when it passes, else the refusal's message. */
    private static String outcome(String token, Consumer<KubernetesClient> action) {
        try (KubernetesClient client = emulator.client(token)) {
            action.accept(client);
            return null;
        } catch (KubernetesClientException e) {
            assertEquals(403, e.getCode(), e.getMessage());
            assertEquals("Forbidden", e.getStatus().getReason());
            return e.getStatus().getMessage();
        }
    }

    private static String expected(String message, String name) {
        return message == null || message.isBlank() ? null
                : message.replace("{csr}", FORBIDDEN_CSR.formatted(name)).replace("'", "\"");
    }

    @ParameterizedTest(name = "{0} {1} a CSR for {2}")
    @CsvSource(delimiter = '|', value = {
        "approves-kubelet-clients | Approved | kubernetes.io/kube-apiserver-client-kubelet |",
        "approves-kubelet-clients | Denied   | kubernetes.io/kube-apiserver-client-kubelet |",
        "approves-kubelet-clients | Approved | kubernetes.io/kubelet-serving | "
                + "{csr}user not permitted to approve requests with signerName 'kubernetes.io/kubelet-serving'",
        "approves-kubernetes-io   | Approved | kubernetes.io/kubelet-serving |",
        "approves-kubernetes-io   | Approved | example.com/custom | "
                + "{csr}user not permitted to approve requests with signerName 'example.com/custom'",
        "approves-nothing         | Denied   | kubernetes.io/kube-apiserver-client-kubelet | "
                + "{csr}user not permitted to approve requests with signerName "
                + "'kubernetes.io/kube-apiserver-client-kubelet'",
        "admin-token              | Approved | example.com/custom |",
    })
    void certificateApprovalNeedsApproveOnTheSigner(String token, String condition, String signer, String refusal) {
        String name = created(signer);

        var decision = new CertificateSigningRequestConditionBuilder().withType(condition).withStatus("True")
                .withReason("Test").build();
        String outcome = outcome(token, client -> {
            var csr = client.certificates().v1().certificateSigningRequests().withName(name);
            if (condition.equals("Approved")) {
                csr.approve(decision);
            } else {
                csr.deny(decision);
            }
        });

        assertEquals(expected(refusal, name), outcome);
    }

    @ParameterizedTest(name = "{0} {1} on a CSR for {2}")
    @CsvSource(delimiter = '|', value = {
        "signs-kubelet-clients | certificate | kubernetes.io/kube-apiserver-client-kubelet |",
        "signs-kubelet-clients | certificate | kubernetes.io/kubelet-serving | "
                + "{csr}user not permitted to sign requests with signerName 'kubernetes.io/kubelet-serving'",
        "signs-nothing         | certificate | kubernetes.io/kube-apiserver-client-kubelet | "
                + "{csr}user not permitted to sign requests with signerName "
                + "'kubernetes.io/kube-apiserver-client-kubelet'",
        "signs-nothing         | Failed      | kubernetes.io/kube-apiserver-client-kubelet | "
                + "{csr}user not permitted to sign requests with signerName "
                + "'kubernetes.io/kube-apiserver-client-kubelet'",
        "signs-nothing         | nothing     | kubernetes.io/kube-apiserver-client-kubelet |",
    })
    void certificateSigningNeedsSignOnTheSignerToChangeTheCertificateOrConditions(String token, String change,
            String signer, String refusal) {
        String name = created(signer);
        CertificateSigningRequest approved = admin.certificates().v1().certificateSigningRequests().withName(name)
                .approve(new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True")
                        .withReason("Test").build());
        CertificateSigningRequest update = switch (change) {
            case "certificate" -> new CertificateSigningRequestBuilder(approved).editStatus()
                    .withCertificate(base64(Openssl.selfSignedCertificate(dir, "/CN=issued"))).endStatus().build();
            case "Failed" -> new CertificateSigningRequestBuilder(approved).editStatus().addToConditions(
                    new CertificateSigningRequestConditionBuilder().withType("Failed").withStatus("True")
                            .withReason("SignerValidationFailure").build()).endStatus().build();
            default -> approved;
        };

        String outcome = outcome(token, client -> client.certificates().v1().certificateSigningRequests()
                .resource(update).updateStatus());

        assertEquals(expected(refusal, name), outcome);
    }

    @ParameterizedTest(name = "{1} with subject {2}")
    @CsvSource(delimiter = '|', value = {
        "kube-apiserver-client-masters | kubernetes.io/kube-apiserver-client | /O=system:masters/CN=root | "
                + "{csr}use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
        "kube-apiserver-client-among | kubernetes.io/kube-apiserver-client | /O=devs/O=system:masters/CN=jane | "
                + "{csr}use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
        "kube-apiserver-client-devs | kubernetes.io/kube-apiserver-client | /O=devs/CN=jane |",
        "kubelet-client-masters | kubernetes.io/kube-apiserver-client-kubelet | /O=system:masters/CN=system:node:a |",
    })
    void certificateSubjectRestrictionRefusesSystemMastersForTheApiServerClientSigner(String name, String signer,
            String subject, String refusal) {
        String outcome = outcome("admin-token", client -> client.certificates().v1().certificateSigningRequests()
                .resource(csr(name, signer, subject)).create());

        assertEquals(expected(refusal, name), outcome);
    }

    private static Node node(String name, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0.1").endAddress().endStatus().build();
    }

    private static void asNode(String name) {
        emulator.addUser(new EmulatorConfig.User("node-" + name, "system:node:" + name, null,
                List.of("system:nodes"), null));
    }

    @ParameterizedTest(name = "node {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "nr-1 | creates its own Node |",
        "nr-2 | creates another Node | nodes 'nr-other' is forbidden: node 'nr-2' is not allowed to modify node "
                + "'nr-other'",
        "nr-3 | creates its own Node with a restricted label | nodes 'nr-3' is forbidden: node 'nr-3' is not allowed "
                + "to set the following labels: node-restriction.kubernetes.io/role",
        "nr-4 | updates its own Node's status |",
        "nr-5 | updates another Node's status | nodes 'nr-admin' is forbidden: node 'nr-5' is not allowed to modify "
                + "node 'nr-admin'",
        "nr-6 | updates another Node | nodes 'nr-admin' is forbidden: node 'nr-6' is not allowed to modify node "
                + "'nr-admin'",
        "nr-7 | taints its own Node | nodes 'nr-7' is forbidden: node 'nr-7' is not allowed to modify taints",
        "nr-8 | deletes its own Node | nodes 'nr-8' is forbidden: User 'system:node:nr-8' cannot delete resource "
                + "'nodes' in API group '' at the cluster scope",
        "nr-9 | creates its own Lease |",
        "nr-10 | creates another node's Lease | leases.coordination.k8s.io 'nr-other' is forbidden: can only access "
                + "node lease with the same name as the requesting node",
    })
    void nodeRestrictionKeepsAKubeletToItsOwnNode(String name, String action, String refusal) {
        asNode(name);
        if (admin.nodes().withName("nr-admin").get() == null) {
            admin.nodes().resource(node("nr-admin", Map.of())).create();
        }
        if (!action.startsWith("creates")) {
            admin.nodes().resource(node(name, Map.of("kubernetes.io/hostname", name))).create();
        }

        String outcome = outcome("node-" + name, kubelet -> {
            switch (action) {
                case "creates its own Node" -> kubelet.nodes().resource(node(name, Map.of())).create();
                case "creates another Node" -> kubelet.nodes().resource(node("nr-other", Map.of())).create();
                case "creates its own Node with a restricted label" -> kubelet.nodes().resource(node(name,
                        Map.of("node-restriction.kubernetes.io/role", "db"))).create();
                case "updates its own Node's status" -> kubelet.nodes().resource(new NodeBuilder(kubelet.nodes()
                        .withName(name).get()).editStatus().addNewCondition().withType("Ready").withStatus("True")
                        .endCondition().endStatus().build()).updateStatus();
                case "updates another Node's status" -> kubelet.nodes().resource(new NodeBuilder(admin.nodes()
                        .withName("nr-admin").get()).editStatus().addNewCondition().withType("Ready")
                        .withStatus("True").endCondition().endStatus().build()).updateStatus();
                case "updates another Node" -> kubelet.nodes().resource(new NodeBuilder(admin.nodes()
                        .withName("nr-admin").get()).editMetadata().addToAnnotations("a", "b").endMetadata().build())
                        .update();
                case "taints its own Node" -> kubelet.nodes().resource(new NodeBuilder(kubelet.nodes().withName(name)
                        .get()).editOrNewSpec().addNewTaint().withKey("k").withEffect("NoSchedule").endTaint()
                        .endSpec().build()).update();
                case "deletes its own Node" -> kubelet.nodes().withName(name).delete();
                case "creates its own Lease" -> kubelet.leases().inNamespace("kube-node-lease").resource(
                        new LeaseBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
                case "creates another node's Lease" -> kubelet.leases().inNamespace("kube-node-lease").resource(
                        new LeaseBuilder().withNewMetadata().withName("nr-other").endMetadata().build()).create();
                default -> throw new IllegalArgumentException(action);
            }
        });

        assertEquals(expected(refusal, name), outcome);
    }
}
