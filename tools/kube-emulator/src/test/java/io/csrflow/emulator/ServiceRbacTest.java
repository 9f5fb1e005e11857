package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * csrflow's services against exactly the RBAC that {@code kubectl kustomize k8s/overlays/dev}
 * renders, as the end-to-end suites and {@code ./csrflow up} run them: each may do what it does and
 * is refused the rest, and a verb taken out of a service's ClusterRole is refused with a message
 * naming it.
 */
class ServiceRbacTest {
    static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    private static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dir;
    static List<ObjectNode> rendered;
    static KubeEmulator emulator;
    static KubernetesClient admin;

    @BeforeAll
    static void start() {
        rendered = RbacManifests.parse(Openssl.run(ROOT, "kubectl", "kustomize", "k8s/overlays/dev"));
        emulator = KubeEmulator.start(EmulatorConfig.defaults().withRbac(rendered), "127.0.0.1", 0, false);
        admin = emulator.client("admin-token");
        // Shipped empty by k8s/ (04-ConfigMap-csrflow-ca-bundles.yaml): the signer may only update it.
        admin.configMaps().inNamespace("csrflow").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("csrflow-ca-bundles").endMetadata().build()).create();
        admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                .withNewMetadata().withName("svc-x").endMetadata().withNewSpec()
                .withRequest(base64(Openssl.csr(dir, "/O=system:nodes/CN=system:node:w0")))
                .withSignerName(KUBELET_CLIENT).withUsages("digital signature", "client auth").endSpec().build())
                .create();
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    @Test
    void theServiceTokensAreTheServiceAccountsOfTheDevOverlay() {
        Set<String> accounts = new TreeSet<>();
        rendered.stream().filter(o -> o.path("kind").asText().equals("ServiceAccount")).forEach(o -> accounts.add(
                "system:serviceaccount:" + o.path("metadata").path("namespace").asText() + ":"
                        + o.path("metadata").path("name").asText()));
        Set<String> tokens = new TreeSet<>();
        for (String token : List.of("csr-watcher-token", "approver-token", "signer-token",
                "rotation-scheduler-token")) {
            tokens.add(EmulatorConfig.defaults().users().stream().filter(u -> u.token().equals(token)).findFirst()
                    .orElseThrow().username());
        }
        assertEquals(accounts, tokens);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String csr(KubeEmulator api, String signer, boolean approved) {
        String name = "svc-" + NAMES.incrementAndGet();
        try (KubernetesClient root = api.client("admin-token")) {
            root.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                    .withNewMetadata().withName(name).endMetadata().withNewSpec()
                    .withRequest(base64(Openssl.csr(dir, "/O=system:nodes/CN=system:node:w1"))).withSignerName(signer)
                    .withUsages("digital signature", "client auth").endSpec().build()).create();
            if (approved) {
                root.certificates().v1().certificateSigningRequests().withName(name).approve(approved());
            }
        }
        return name;
    }

    private static CertificateSigningRequestCondition approved() {
        return new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True")
                .withReason("AutoApproved").build();
    }

    private static void issue(KubernetesClient client, String name) {
        CertificateSigningRequest current = client.certificates().v1().certificateSigningRequests().withName(name)
                .get();
        client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(current)
                .editStatus().withCertificate(base64(Openssl.selfSignedCertificate(dir, "/CN=issued"))).endStatus()
                .build()).updateStatus();
    }

    /** What each service does against the API in csrflow (its informers, writes and reviews). */
    static Stream<Arguments> duties() {
        return Stream.of(
                Arguments.of("csr-watcher-token", "lists and watches CSRs", (Consumer<KubernetesClient>) c ->
                        c.certificates().v1().certificateSigningRequests().list()),
                Arguments.of("csr-watcher-token", "takes and renews its Lease", (Consumer<KubernetesClient>) c -> {
                    c.leases().inNamespace("csrflow").resource(new LeaseBuilder().withNewMetadata()
                            .withName("csr-watcher").endMetadata().withNewSpec().withHolderIdentity("a").endSpec()
                            .build()).create();
                    var lease = c.leases().inNamespace("csrflow").withName("csr-watcher").get();
                    c.leases().inNamespace("csrflow").resource(new LeaseBuilder(lease).editSpec()
                            .withHolderIdentity("b").endSpec().build()).update();
                    // fabric8's LeaderElector renews with a merge patch.
                    c.leases().inNamespace("csrflow").withName("csr-watcher").patch(
                            PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"leaseDurationSeconds\":15}}");
                }),
                Arguments.of("approver-token", "approves a kubelet client CSR", (Consumer<KubernetesClient>) c ->
                        c.certificates().v1().certificateSigningRequests().withName(csr(emulator, KUBELET_CLIENT,
                                false)).approve(approved())),
                Arguments.of("approver-token", "asks SubjectAccessReviews", (Consumer<KubernetesClient>) c ->
                        c.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                                .withNewSpec().withUser("system:bootstrap:abcdef").withNewResourceAttributes()
                                .withGroup("certificates.k8s.io").withResource("certificatesigningrequests")
                                .withSubresource("nodeclient").withVerb("create").endResourceAttributes().endSpec()
                                .build())),
                Arguments.of("approver-token", "reviews tokens", (Consumer<KubernetesClient>) c ->
                        c.authentication().v1().tokenReviews().create(new TokenReviewBuilder().withNewSpec()
                                .withToken("bootstrap-token").endSpec().build())),
                Arguments.of("approver-token", "follows Nodes", (Consumer<KubernetesClient>) c -> c.nodes().list()),
                Arguments.of("approver-token", "records Events in default", (Consumer<KubernetesClient>) c ->
                        c.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                                .withName("svc-event-" + NAMES.incrementAndGet()).withNamespace("default")
                                .endMetadata().withReason("Approved").build()).create()),
                Arguments.of("signer-token", "issues a certificate", (Consumer<KubernetesClient>) c ->
                        issue(c, csr(emulator, KUBELET_CLIENT, true))),
                Arguments.of("signer-token", "publishes its trust bundle", (Consumer<KubernetesClient>) c -> {
                    var bundle = c.configMaps().inNamespace("csrflow").withName("csrflow-ca-bundles").get();
                    c.configMaps().inNamespace("csrflow").resource(new ConfigMapBuilder(bundle)
                            .addToData("kube-apiserver-client-kubelet.crt", "pem").build()).update();
                }),
                Arguments.of("rotation-scheduler-token", "follows Nodes", (Consumer<KubernetesClient>) c ->
                        c.nodes().list()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("duties")
    void eachServiceMayDoWhatItDoes(String token, String duty, Consumer<KubernetesClient> action) {
        try (KubernetesClient client = emulator.client(token)) {
            action.accept(client);
        }
    }

    private static final String SA = "User \"system:serviceaccount:csrflow:";

    static Stream<Arguments> overreach() {
        return Stream.of(
                Arguments.of("csr-watcher-token", "approves", (Consumer<KubernetesClient>) c ->
                        c.certificates().v1().certificateSigningRequests().withName("svc-x").approve(approved()),
                        "certificatesigningrequests.certificates.k8s.io \"svc-x\" is forbidden: " + SA + "csr-watcher\" "
                                + "cannot update resource \"certificatesigningrequests/approval\" in API group "
                                + "\"certificates.k8s.io\" at the cluster scope"),
                Arguments.of("csr-watcher-token", "takes a Lease elsewhere", (Consumer<KubernetesClient>) c ->
                        c.leases().inNamespace("default").resource(new LeaseBuilder().withNewMetadata()
                                .withName("csr-watcher").endMetadata().build()).create(),
                        "leases.coordination.k8s.io is forbidden: " + SA + "csr-watcher\" cannot create resource "
                                + "\"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\""),
                Arguments.of("approver-token", "issues certificates", (Consumer<KubernetesClient>) c ->
                        issue(c, csr(emulator, KUBELET_CLIENT, true)),
                        "certificatesigningrequests.certificates.k8s.io \"svc-%d\" is forbidden: " + SA
                                + "approver-service\" cannot update resource \"certificatesigningrequests/status\" in "
                                + "API group \"certificates.k8s.io\" at the cluster scope"),
                Arguments.of("approver-token", "approves for a signer it does not serve",
                        (Consumer<KubernetesClient>) c -> c.certificates().v1().certificateSigningRequests()
                                .withName(csr(emulator, "example.com/custom", false)).approve(approved()),
                        "certificatesigningrequests.certificates.k8s.io \"svc-%d\" is forbidden: user not permitted "
                                + "to approve requests with signerName \"example.com/custom\""),
                Arguments.of("approver-token", "records Events in its own namespace", (Consumer<KubernetesClient>) c ->
                        c.v1().events().inNamespace("csrflow").resource(new EventBuilder().withNewMetadata()
                                .withName("e").withNamespace("csrflow").endMetadata().build()).create(),
                        "events is forbidden: " + SA + "approver-service\" cannot create resource \"events\" in API "
                                + "group \"\" in the namespace \"csrflow\""),
                Arguments.of("signer-token", "approves", (Consumer<KubernetesClient>) c ->
                        c.certificates().v1().certificateSigningRequests().withName("svc-x").approve(approved()),
                        "certificatesigningrequests.certificates.k8s.io \"svc-x\" is forbidden: " + SA
                                + "signer-service\" cannot update resource \"certificatesigningrequests/approval\" in "
                                + "API group \"certificates.k8s.io\" at the cluster scope"),
                Arguments.of("signer-token", "deletes another ConfigMap", (Consumer<KubernetesClient>) c ->
                        c.configMaps().inNamespace("csrflow").withName("other").delete(),
                        "configmaps \"other\" is forbidden: " + SA + "signer-service\" cannot delete resource "
                                + "\"configmaps\" in API group \"\" in the namespace \"csrflow\""),
                Arguments.of("signer-token", "reads another ConfigMap", (Consumer<KubernetesClient>) c ->
                        c.configMaps().inNamespace("csrflow").withName("csrflow-signer-config").get(),
                        "configmaps \"csrflow-signer-config\" is forbidden: " + SA + "signer-service\" cannot get "
                                + "resource \"configmaps\" in API group \"\" in the namespace \"csrflow\""),
                Arguments.of("rotation-scheduler-token", "reads CSRs", (Consumer<KubernetesClient>) c ->
                        c.certificates().v1().certificateSigningRequests().list(),
                        "certificatesigningrequests.certificates.k8s.io is forbidden: " + SA + "rotation-scheduler\" "
                                + "cannot list resource \"certificatesigningrequests\" in API group "
                                + "\"certificates.k8s.io\" at the cluster scope"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overreach")
    void eachServiceIsRefusedWhatItsRolesDoNotGrant(String token, String what, Consumer<KubernetesClient> action,
            String message) {
        try (KubernetesClient client = emulator.client(token)) {
            KubernetesClientException refused = assertThrows(
                    KubernetesClientException.class, () -> action.accept(client));
            assertEquals(403, refused.getCode(), refused.getMessage());
            assertEquals(message.replace("%d", String.valueOf(NAMES.get())), refused.getStatus().getMessage());
        }
    }

    /** The rendered overlay with the rules of {@code role} that {@code drop} matches taken out. */
    private static List<ObjectNode> without(String role, Predicate<JsonNode> drop) {
        List<ObjectNode> changed = rendered.stream().map(ObjectNode::deepCopy).toList();
        ObjectNode clusterRole = changed.stream().filter(o -> o.path("kind").asText().equals("ClusterRole")
                && o.path("metadata").path("name").asText().equals(role)).findFirst().orElseThrow();
        ArrayNode kept = Json.MAPPER.createArrayNode();
        clusterRole.path("rules").forEach(rule -> {
            if (!drop.test(rule)) {
                kept.add(rule);
            }
        });
        assertTrue(kept.size() < clusterRole.path("rules").size(), "no rule of " + role + " was taken out");
        clusterRole.set("rules", kept);
        return changed;
    }

    private static boolean onSigners(JsonNode rule) {
        return rule.path("resources").toString().contains("\"signers\"");
    }

    @Test
    void anApproverWithoutApproveOnSignersIsRefusedEveryApprovalNamingTheSigner() {
        try (KubeEmulator api = KubeEmulator.start(EmulatorConfig.defaults().withRbac(without(
                "csrflow:approver-service", ServiceRbacTest::onSigners)), "127.0.0.1", 0, false);
                KubernetesClient approver = api.client("approver-token")) {
            String name = csr(api, KUBELET_CLIENT, false);

            KubernetesClientException refused = assertThrows(
                    KubernetesClientException.class, () -> approver.certificates().v1().certificateSigningRequests()
                            .withName(name).approve(approved()));

            assertEquals(403, refused.getCode());
            assertEquals("certificatesigningrequests.certificates.k8s.io \"" + name + "\" is forbidden: user not "
                    + "permitted to approve requests with signerName \"" + KUBELET_CLIENT + "\"",
                    refused.getStatus().getMessage());
        }
    }

    @Test
    void aSignerWithoutSignOnSignersIsRefusedEveryCertificateNamingTheSigner() {
        try (KubeEmulator api = KubeEmulator.start(EmulatorConfig.defaults().withRbac(without(
                "csrflow:signer-service", ServiceRbacTest::onSigners)), "127.0.0.1", 0, false);
                KubernetesClient signer = api.client("signer-token")) {
            String name = csr(api, KUBELET_CLIENT, true);

            KubernetesClientException refused = assertThrows(
                    KubernetesClientException.class, () -> issue(signer, name));

            assertEquals(403, refused.getCode());
            assertEquals("certificatesigningrequests.certificates.k8s.io \"" + name + "\" is forbidden: user not "
                    + "permitted to sign requests with signerName \"" + KUBELET_CLIENT + "\"",
                    refused.getStatus().getMessage());
        }
    }

    @Test
    void anApproverWithoutUpdateOnApprovalIsRefusedNamingTheSubresource() {
        try (KubeEmulator api = KubeEmulator.start(EmulatorConfig.defaults().withRbac(without(
                "csrflow:approver-service", rule -> rule.path("resources").toString().contains("/approval"))),
                "127.0.0.1", 0, false); KubernetesClient approver = api.client("approver-token")) {
            String name = csr(api, KUBELET_CLIENT, false);

            KubernetesClientException refused = assertThrows(
                    KubernetesClientException.class, () -> approver.certificates().v1().certificateSigningRequests()
                            .withName(name).approve(approved()));

            assertEquals("certificatesigningrequests.certificates.k8s.io \"" + name + "\" is forbidden: " + SA
                    + "approver-service\" cannot update resource \"certificatesigningrequests/approval\" in API group "
                    + "\"certificates.k8s.io\" at the cluster scope", refused.getStatus().getMessage());
        }
    }
}
