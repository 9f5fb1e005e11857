package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Every request is authorized as kube-apiserver with {@code --authorization-mode=Node,RBAC} does it:
 * {@code system:masters} first, then the Node authorizer, then RBAC objects (the API server's
 * defaults, kubeadm's bindings, {@code --rbac} files and whatever is created through the API).
 * Refusals are 403 with the API server's message and details.
 */
class AuthorizationTest {
    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static KubernetesClient admin;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", 0, true);
        admin = emulator.client("admin-token");
        emulator.addUser(new EmulatorConfig.User("jane-token", "jane", null, List.of("developers"), null));
        emulator.addUser(new EmulatorConfig.User("sam-token", "sam", null, List.of("developers"), null));
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    /** A request with curl (an independent client): the HTTP status and the JSON body. */
    record Answer(int code, JsonNode body) {
    }

    static Answer call(String token, String method, String path, String jsonBody) {
        try {
            Path body = Files.createTempFile(dir, "body", ".json");
            Files.writeString(body, jsonBody == null ? "" : jsonBody);
            String out = Openssl.run(dir, "curl", "-sk", "-X", method, "-H", "Authorization: Bearer " + token,
                    "-H", "Content-Type: application/json", "-H", "Accept: application/json",
                    "--data-binary", "@" + body, "-w", "\n%{http_code}", emulator.url() + path);
            int newline = out.lastIndexOf('\n');
            String text = out.substring(0, newline);
            return new Answer(Integer.parseInt(out.substring(newline + 1).trim()),
                    text.isBlank() ? null : Json.MAPPER.readTree(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> refusals() {
        String csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
        return Stream.of(
                Arguments.of("csr-watcher-token", "GET", csrs, null,
                        "certificatesigningrequests.certificates.k8s.io is forbidden: User "
                                + "\"system:serviceaccount:csrflow:csr-watcher\" cannot list resource "
                                + "\"certificatesigningrequests\" in API group \"certificates.k8s.io\" at the cluster scope",
                        "{\"group\":\"certificates.k8s.io\",\"kind\":\"certificatesigningrequests\"}"),
                Arguments.of("bootstrap-token", "PUT", csrs + "/x/approval", "{}",
                        "certificatesigningrequests.certificates.k8s.io \"x\" is forbidden: User "
                                + "\"system:bootstrap:abcdef\" cannot update resource "
                                + "\"certificatesigningrequests/approval\" in API group \"certificates.k8s.io\" at the "
                                + "cluster scope",
                        "{\"name\":\"x\",\"group\":\"certificates.k8s.io\",\"kind\":\"certificatesigningrequests\"}"),
                Arguments.of("jane-token", "GET", "/api/v1/namespaces/csrflow/configmaps/bundle", null,
                        "configmaps \"bundle\" is forbidden: User \"jane\" cannot get resource \"configmaps\" in API "
                                + "group \"\" in the namespace \"csrflow\"",
                        "{\"name\":\"bundle\",\"kind\":\"configmaps\"}"),
                Arguments.of("jane-token", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "{}",
                        "subjectaccessreviews.authorization.k8s.io is forbidden: User \"jane\" cannot create resource "
                                + "\"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope",
                        "{\"group\":\"authorization.k8s.io\",\"kind\":\"subjectaccessreviews\"}"),
                Arguments.of("demo-node-1-token", "GET", "/api/v1/nodes", null,
                        "nodes is forbidden: User \"system:node:demo-node-1\" cannot list resource \"nodes\" in API "
                                + "group \"\" at the cluster scope: node 'demo-node-1' cannot read all nodes, only its "
                                + "own Node object",
                        "{\"kind\":\"nodes\"}"),
                Arguments.of("jane-token", "GET", "/metrics", null,
                        "forbidden: User \"jane\" cannot get path \"/metrics\"", null));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("refusals")
    void refusesWhatNothingAllowsWithTheApiServersForbiddenStatus(String token, String method, String path,
            String body, String message, String details) throws IOException {
        Answer answer = call(token, method, path, body);

        assertEquals(403, answer.code(), String.valueOf(answer.body()));
        assertEquals("Failure", answer.body().path("status").asText());
        assertEquals("Forbidden", answer.body().path("reason").asText());
        assertEquals(403, answer.body().path("code").asInt());
        assertEquals(message, answer.body().path("message").asText());
        if (details != null) {
            assertEquals(Json.MAPPER.readTree(details), answer.body().path("details"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/version", "/api", "/api/v1", "/apis", "/apis/certificates.k8s.io/v1",
        "/apis/rbac.authorization.k8s.io/v1"})
    void discoveryIsOpenToEveryAuthenticatedUser(String path) {
        assertEquals(200, call("jane-token", "GET", path, null).code());
    }

    @Test
    void everyUserMayAskWhoItIs() {
        Answer review = call("jane-token", "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
        assertEquals(201, review.code());
        assertEquals("jane", review.body().path("status").path("userInfo").path("username").asText());
    }

    @Test
    void systemMastersIsASuperuserWithoutAnyBinding() {
        try (KubeEmulator own = KubeEmulator.startDefault(); KubernetesClient root = own.client("admin-token")) {
            root.rbac().clusterRoleBindings().withName("cluster-admin").delete();

            assertTrue(root.rbac().clusterRoleBindings().list().getItems().stream()
                    .noneMatch(b -> b.getMetadata().getName().equals("cluster-admin")));
            root.nodes().list();
            root.certificates().v1().certificateSigningRequests().list();
        }
    }

    @Test
    void rolesAndBindingsCreatedThroughTheApiTakeEffectAndDeletingThemRevokes() {
        try (KubernetesClient jane = emulator.client("jane-token")) {
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> jane.certificates().v1().certificateSigningRequests().list()).getCode());

            admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("csr-reader")
                    .endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("certificates.k8s.io")
                            .withResources("certificatesigningrequests").withVerbs("get", "list").build())
                    .build()).create();
            admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                    .withName("jane-reads-csrs").endMetadata().withNewRoleRef("rbac.authorization.k8s.io",
                            "ClusterRole", "csr-reader").addNewSubject().withKind("User").withName("jane")
                    .withApiGroup("rbac.authorization.k8s.io").endSubject().build()).create();

            jane.certificates().v1().certificateSigningRequests().list();
            SubjectAccessReview review = admin.authorization().v1().subjectAccessReview().create(
                    new SubjectAccessReviewBuilder().withNewSpec().withUser("jane").withNewResourceAttributes()
                            .withGroup("certificates.k8s.io").withResource("certificatesigningrequests")
                            .withVerb("list").endResourceAttributes().endSpec().build());
            assertTrue(review.getStatus().getAllowed());
            assertEquals("RBAC: allowed by ClusterRoleBinding \"jane-reads-csrs\" of ClusterRole \"csr-reader\" to "
                    + "User \"jane\"", review.getStatus().getReason());

            admin.rbac().clusterRoleBindings().withName("jane-reads-csrs").delete();
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> jane.certificates().v1().certificateSigningRequests().list()).getCode());
        }
    }

    @Test
    void aRoleBindingGrantsAClusterRoleInItsNamespaceOnly() {
        admin.configMaps().inNamespace("team-a").resource(new ConfigMapBuilder().withNewMetadata().withName("c")
                .endMetadata().build()).create();
        admin.configMaps().inNamespace("team-b").resource(new ConfigMapBuilder().withNewMetadata().withName("c")
                .endMetadata().build()).create();
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("configmap-reader")
                .endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                        .withVerbs("get").build()).build()).create();
        admin.rbac().roleBindings().inNamespace("team-a").resource(new RoleBindingBuilder().withNewMetadata()
                .withName("developers-read").withNamespace("team-a").endMetadata().withNewRoleRef(
                        "rbac.authorization.k8s.io", "ClusterRole", "configmap-reader").addNewSubject()
                .withKind("Group").withName("developers").withApiGroup("rbac.authorization.k8s.io").endSubject()
                .build()).create();

        try (KubernetesClient sam = emulator.client("sam-token")) {
            assertEquals("c", sam.configMaps().inNamespace("team-a").withName("c").get().getMetadata().getName());
            KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                    () -> sam.configMaps().inNamespace("team-b").withName("c").get());
            assertEquals(403, refused.getCode());
            assertEquals("configmaps \"c\" is forbidden: User \"sam\" cannot get resource \"configmaps\" in API group "
                    + "\"\" in the namespace \"team-b\"", refused.getStatus().getMessage());
        }
    }

    @Test
    void servesTheApiServersDefaultRolesAndKubeadmsBindings() {
        List<String> roles = admin.rbac().clusterRoles().list().getItems().stream()
                .map(r -> r.getMetadata().getName()).toList();
        assertTrue(roles.containsAll(List.of("cluster-admin", "system:discovery", "system:basic-user",
                "system:node-bootstrapper", "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient")), roles.toString());
        List<String> bindings = admin.rbac().clusterRoleBindings().list().getItems().stream()
                .map(b -> b.getMetadata().getName()).toList();
        assertTrue(bindings.containsAll(List.of("cluster-admin", "kubeadm:kubelet-bootstrap",
                "kubeadm:node-autoapprove-bootstrap", "kubeadm:node-autoapprove-certificate-rotation")),
                bindings.toString());
        assertTrue(kubectl("admin-token", "get", "clusterrolebindings").contains("kubeadm:kubelet-bootstrap"));
    }

    @Test
    void loadsRbacObjectsFromMultiDocumentManifestsIgnoringOtherKinds() throws IOException {
        Path manifests = dir.resolve("rendered.yaml");
        Files.writeString(manifests, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: ops}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: node-reader}
                rules:
                  - {apiGroups: [""], resources: [nodes], verbs: [list]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: ops-read-nodes}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
                subjects:
                  - {kind: ServiceAccount, name: csr-watcher, namespace: csrflow}
                """);
        try (KubeEmulator own = KubeEmulator.start(EmulatorConfig.defaults().withRbac(manifests), "127.0.0.1", 0,
                false); KubernetesClient watcher = own.client("csr-watcher-token")) {
            watcher.nodes().list();
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> watcher.certificates().v1().certificateSigningRequests().list()).getCode());
        }
    }

    @Test
    void legacyAccessRulesStillLoad() throws IOException {
        Path config = dir.resolve("legacy.yaml");
        Files.writeString(config, """
                users:
                  - {token: t, username: tess, groups: [readers]}
                rules:
                  - {name: readers, groups: [readers], verbs: [list], apiGroups: [""], resources: [nodes]}
                """);
        try (KubeEmulator own = KubeEmulator.start(EmulatorConfig.load(config), "127.0.0.1", 0, false);
                KubernetesClient tess = own.client("t")) {
            tess.nodes().list();
            assertEquals(403, assertThrows(KubernetesClientException.class,
                    () -> tess.configMaps().inNamespace("x").list()).getCode());
        }
    }

    private static String kubectl(String token, String... args) {
        Path kubeconfig = dir.resolve(token + ".kubeconfig");
        try {
            emulator.writeKubeconfig(kubeconfig, token);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String[] command = new String[args.length + 3];
        command[0] = "kubectl";
        command[1] = "--kubeconfig";
        command[2] = kubeconfig.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        return Openssl.run(dir, command);
    }

    /** {@code kubectl auth can-i} prints yes or no and exits 1 on no. */
    private static String canI(String token, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "auth";
        all[1] = "can-i";
        System.arraycopy(args, 0, all, 2, args.length);
        try {
            return kubectl(token, all).trim();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("failed: no"), e.getMessage());
            return "no";
        }
    }

    @ParameterizedTest(name = "{0}: kubectl auth can-i {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "bootstrap-token | create certificatesigningrequests | yes",
        "bootstrap-token | create certificatesigningrequests --subresource=nodeclient | yes",
        "bootstrap-token | create certificatesigningrequests --subresource=selfnodeclient | no",
        "bootstrap-token | update certificatesigningrequests --subresource=approval | no",
        "bootstrap-token | list nodes | no",
        "bootstrap-token | get /healthz | yes",
        "demo-node-1-token | create certificatesigningrequests --subresource=selfnodeclient | yes",
        "demo-node-1-token | get nodes/demo-node-1 | yes",
        "demo-node-1-token | delete nodes/demo-node-1 | no",
        "admin-token | * * | yes",
    })
    void kubectlAuthCanIAsksTheSameRules(String token, String question, String answer) {
        assertEquals(answer, canI(token, question.split(" ")));
    }
}
