package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * The storage behaviour clients rely on, as kube-apiserver has it: random uids, one resourceVersion
 * sequence across kinds, optimistic concurrency on every kind, paged lists that are one snapshot,
 * label selectors with sets, field selectors a resource supports, status kept apart from the
 * object, finalizers, namespaces that take their objects with them, one store for both Event APIs.
 */
class StorageTest {
    private static final int HISTORY = 20;

    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static KubernetesClient admin;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startWithStore(new ObjectStore.Settings(HISTORY, Duration.ofMinutes(1)));
        admin = emulator.client("admin-token");
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    private static ConfigMap configMap(String namespace, String name, Map<String, String> labels) {
        return admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(name).withLabels(labels).endMetadata().addToData("k", "v").build()).create();
    }

    private static JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.url() + pathAndQuery))
                .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(response.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("httpStatus", response.statusCode());
        return body;
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.path("items").forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }

    @Test
    void givesEveryObjectARandomUid() {
        Set<String> uids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String uid = configMap("uids", "cm-" + i, Map.of()).getMetadata().getUid();
            assertEquals(4, UUID.fromString(uid).version(), uid);
            uids.add(uid);
        }
        assertEquals(5, uids.size());
        assertTrue(uids.stream().noneMatch(uid -> uid.startsWith("00000000-")), uids.toString());
    }

    @Test
    void stampsOneResourceVersionSequenceAcrossKindsAndListsCarryIt() throws Exception {
        long configMap = Long.parseLong(configMap("rv", "first", Map.of()).getMetadata().getResourceVersion());
        long node = Long.parseLong(admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("rv-node")
                .endMetadata().build()).create().getMetadata().getResourceVersion());
        long secret = Long.parseLong(admin.secrets().inNamespace("rv").resource(new SecretBuilder()
                .withNewMetadata().withName("s").endMetadata().build()).create().getMetadata().getResourceVersion());

        assertTrue(configMap < node && node < secret, configMap + " < " + node + " < " + secret);
        long listed = Long.parseLong(get("/api/v1/namespaces/rv/configmaps").path("metadata")
                .path("resourceVersion").asText());
        assertTrue(listed >= secret, "a list is at the store's revision, not at its newest item's");
    }

    @Test
    void pagesAListWithLimitAndContinueAsOneSnapshot() throws Exception {
        for (String name : List.of("e", "c", "a", "g", "b", "f", "d")) {
            configMap("paged", name, Map.of());
        }
        JsonNode first = get("/api/v1/namespaces/paged/configmaps?limit=3");
        assertEquals(List.of("a", "b", "c"), names(first));
        String token = first.path("metadata").path("continue").asText();
        assertTrue(!token.isEmpty());
        assertEquals(4, first.path("metadata").path("remainingItemCount").asInt());

        configMap("paged", "cc", Map.of());
        admin.configMaps().inNamespace("paged").withName("e").delete();

        JsonNode second = get("/api/v1/namespaces/paged/configmaps?limit=3&continue=" + token);
        assertEquals(List.of("d", "e", "f"), names(second), "the snapshot of the first page: no cc, still e");
        assertEquals(first.path("metadata").path("resourceVersion"), second.path("metadata").path("resourceVersion"));
        JsonNode third = get("/api/v1/namespaces/paged/configmaps?limit=3&continue="
                + second.path("metadata").path("continue").asText());
        assertEquals(List.of("g"), names(third));
        assertTrue(third.path("metadata").path("continue").asText("").isEmpty());

        ConfigMapList all = admin.configMaps().inNamespace("paged").list(new io.fabric8.kubernetes.api.model
                .ListOptionsBuilder().withLimit(2L).build());
        assertEquals(2, all.getItems().size());
        assertNotNull(all.getMetadata().getContinue());
    }

    @Test
    void answersGoneForAContinueTokenOlderThanTheHistory() throws Exception {
        for (int i = 0; i < 3; i++) {
            configMap("old-page", "cm-" + i, Map.of());
        }
        String token = get("/api/v1/namespaces/old-page/configmaps?limit=1").path("metadata").path("continue")
                .asText();
        for (int i = 0; i < HISTORY + 1; i++) {
            configMap("old-page-churn", "cm-" + i, Map.of());
        }
        JsonNode gone = get("/api/v1/namespaces/old-page/configmaps?limit=1&continue=" + token);
        assertEquals(410, gone.path("httpStatus").asInt());
        assertEquals("Expired", gone.path("reason").asText());
        String inconsistent = gone.path("metadata").path("continue").asText();
        assertEquals(List.of("cm-1"), names(get("/api/v1/namespaces/old-page/configmaps?limit=1&continue="
                + inconsistent)), "the token in the 410 continues, inconsistently");
    }

    @Test
    void keepsANodesStatusOnUpdateAndItsSpecOnStatusUpdate() {
        Node created = admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-status")
                .endMetadata().withNewSpec().withPodCIDR("10.1.0.0/24").endSpec().withNewStatus().addNewAddress()
                .withType("InternalIP").withAddress("10.0.0.1").endAddress().endStatus().build()).create();
        assertEquals("10.0.0.1", created.getStatus().getAddresses().get(0).getAddress(), "status is kept on create");

        Node updated = admin.nodes().resource(new NodeBuilder(created).editMetadata().addToLabels("role", "edge")
                .endMetadata().editStatus().editFirstAddress().withAddress("10.6.6.6").endAddress().endStatus()
                .build()).update();
        assertEquals("edge", updated.getMetadata().getLabels().get("role"));
        assertEquals("10.0.0.1", updated.getStatus().getAddresses().get(0).getAddress(),
                "a PUT of the node keeps the stored status");

        Node statusUpdated = admin.nodes().resource(new NodeBuilder(updated).editSpec().withPodCIDR("10.9.0.0/24")
                .endSpec().editStatus().editFirstAddress().withAddress("10.0.0.2").endAddress().endStatus().build())
                .updateStatus();
        assertEquals("10.0.0.2", statusUpdated.getStatus().getAddresses().get(0).getAddress());
        assertEquals("10.1.0.0/24", statusUpdated.getSpec().getPodCIDR(), "a PUT of /status keeps the spec");
    }

    @Test
    void findsAnObjectWhoseNameIsPercentEncodedInThePath() throws Exception {
        String pem = Openssl.csr(dir, "/O=system:nodes/CN=system:node:odd");
        String name = "odd name:1+2";
        admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet").withUsages("digital signature",
                        "client auth").endSpec().build()).create();
        String path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/odd%20name%3A1+2";
        assertEquals(name, get(path).path("metadata").path("name").asText(), "a + in a path is a plus");
        HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(emulator.url() + path)).DELETE()
                .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals(404, get(path).path("httpStatus").asInt());
    }

    @Test
    void updatesANamespacesStatusThroughItsSubresource() {
        var created = admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("with-status")
                .endMetadata().build()).create();
        assertEquals("Active", created.getStatus().getPhase());
        assertEquals(List.of("kubernetes"), created.getSpec().getFinalizers());
        var updated = admin.namespaces().resource(new NamespaceBuilder(created).editStatus()
                .addNewCondition().withType("Checked").withStatus("True").endCondition().endStatus().build())
                .updateStatus();
        assertEquals("Checked", updated.getStatus().getConditions().get(0).getType());
    }

    @Test
    void selectsWithEqualityAndSetBasedLabelSelectors() throws Exception {
        configMap("labels", "prod", Map.of("env", "prod", "tier", "web"));
        configMap("labels", "dev", Map.of("env", "dev"));
        configMap("labels", "test", Map.of("env", "test"));
        configMap("labels", "none", Map.of());
        var configMaps = admin.configMaps().inNamespace("labels");

        assertEquals(List.of("dev", "prod"), names(configMaps.withLabelIn("env", "prod", "dev").list().getItems()));
        assertEquals(List.of("none", "test"), names(configMaps.withLabelNotIn("env", "prod", "dev").list()
                .getItems()));
        assertEquals(List.of("none"), names(configMaps.withoutLabel("env").list().getItems()));
        assertEquals(List.of("dev", "prod", "test"), names(configMaps.withLabel("env").list().getItems()));
        assertEquals(List.of("dev", "none", "test"), names(configMaps.withoutLabel("env", "prod").list()
                .getItems()));
        assertEquals(List.of("prod"), names(get("/api/v1/namespaces/labels/configmaps?labelSelector="
                + "env%20in%20(prod,dev),tier=web")));
        assertEquals(400, get("/api/v1/namespaces/labels/configmaps?labelSelector=env%20in%20(a%20b)")
                .path("httpStatus").asInt());
    }

    private static List<String> names(List<? extends HasMetadata> items) {
        return items.stream().map(i -> i.getMetadata().getName()).sorted().toList();
    }

    @Test
    void selectsCsrsBySignerNameAndRefusesFieldsAResourceDoesNotSupport() throws Exception {
        String pem = Openssl.csr(dir, "/O=system:nodes/CN=system:node:fs");
        for (String signer : List.of("kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving")) {
            String name = signer.substring(signer.indexOf('/') + 1);
            admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                    .withNewMetadata().withName(name).endMetadata().withNewSpec()
                    .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                    .withSignerName(signer).withUsages("digital signature", "client auth").endSpec().build())
                    .create();
        }
        JsonNode serving = get("/apis/certificates.k8s.io/v1/certificatesigningrequests?fieldSelector="
                + "spec.signerName%3Dkubernetes.io%2Fkubelet-serving");
        assertEquals(List.of("kubelet-serving"), names(serving));

        JsonNode unsupported = get("/apis/certificates.k8s.io/v1/certificatesigningrequests?fieldSelector="
                + "spec.username%3Dx");
        assertEquals(400, unsupported.path("httpStatus").asInt());
        assertTrue(unsupported.path("message").asText().contains("field label not supported: spec.username"),
                unsupported.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"configmaps", "secrets", "nodes", "leases", "namespaces", "events", "clusterroles"})
    void answersConflictForAStaleResourceVersionOfAnyKind(String kind) {
        String name = "stale-" + kind;
        Supplier<Resource<? extends HasMetadata>> resource = switch (kind) {
            case "configmaps" -> () -> admin.configMaps().inNamespace("stale").withName(name);
            case "secrets" -> () -> admin.secrets().inNamespace("stale").withName(name);
            case "nodes" -> () -> admin.nodes().withName(name);
            case "leases" -> () -> admin.leases().inNamespace("stale").withName(name);
            case "namespaces" -> () -> admin.namespaces().withName(name);
            case "events" -> () -> admin.v1().events().inNamespace("stale").withName(name);
            default -> () -> admin.rbac().clusterRoles().withName(name);
        };
        HasMetadata created = switch (kind) {
            case "configmaps" -> admin.resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                    .withNamespace("stale").endMetadata().build()).create();
            case "secrets" -> admin.resource(new SecretBuilder().withNewMetadata().withName(name)
                    .withNamespace("stale").endMetadata().build()).create();
            case "nodes" -> admin.resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .create();
            case "leases" -> admin.resource(new LeaseBuilder().withNewMetadata().withName(name).withNamespace("stale")
                    .endMetadata().build()).create();
            case "namespaces" -> admin.resource(new NamespaceBuilder().withNewMetadata().withName(name)
                    .endMetadata().build()).create();
            case "events" -> admin.resource(new EventBuilder().withNewMetadata().withName(name)
                    .withNamespace("stale").endMetadata().withReason("Test").build()).create();
            default -> admin.resource(new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata()
                    .build()).create();
        };
        String stale = created.getMetadata().getResourceVersion();
        HasMetadata current = resource.get().get();
        current.getMetadata().setLabels(Map.of("step", "1"));
        admin.resource(current).update();

        current.getMetadata().setLabels(Map.of("step", "2"));
        current.getMetadata().setResourceVersion(stale);
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> admin.resource(current).update());
        assertEquals(409, conflict.getCode());
        assertEquals("Conflict", conflict.getStatus().getReason());

        assertEquals(409, assertThrows(KubernetesClientException.class, () -> admin.resource(created).create())
                .getCode(), "AlreadyExists");
        resource.get().delete();
        assertNull(resource.get().get(), "NotFound after delete");
    }

    @Test
    void anUpdateThatChangesNothingKeepsTheResourceVersion() {
        ConfigMap created = configMap("noop", "same", Map.of("a", "b"));
        ConfigMap updated = admin.configMaps().inNamespace("noop").resource(created).update();
        assertEquals(created.getMetadata().getResourceVersion(), updated.getMetadata().getResourceVersion());
    }

    @Test
    void namesObjectsFromGenerateName() {
        ConfigMap generated = admin.configMaps().inNamespace("generated").resource(new ConfigMapBuilder()
                .withNewMetadata().withGenerateName("job-").endMetadata().build()).create();
        assertTrue(generated.getMetadata().getName().matches("job-[bcdfghjklmnpqrstvwxz2456789]{5}"),
                generated.getMetadata().getName());
    }

    @Test
    void keepsAnObjectWithFinalizersUntilTheLastOneIsRemoved() {
        ConfigMap created = admin.configMaps().inNamespace("final").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("held").withFinalizers("example.com/hold").endMetadata().build())
                .create();
        admin.configMaps().inNamespace("final").withName("held").delete();
        ConfigMap marked = admin.configMaps().inNamespace("final").withName("held").get();
        assertNotNull(marked.getMetadata().getDeletionTimestamp(), "marked, not deleted");
        assertNotEquals(created.getMetadata().getResourceVersion(), marked.getMetadata().getResourceVersion());

        admin.configMaps().inNamespace("final").resource(new ConfigMapBuilder(marked).editMetadata()
                .withFinalizers(List.of()).endMetadata().build()).update();
        assertNull(admin.configMaps().inNamespace("final").withName("held").get());
    }

    @Test
    void deletingANamespaceDeletesItsObjects() {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("doomed").endMetadata()
                .build()).create();
        configMap("doomed", "inside", Map.of());
        configMap("doomed-not", "outside", Map.of());
        admin.namespaces().withName("doomed").delete();
        assertNull(admin.namespaces().withName("doomed").get());
        assertNull(admin.configMaps().inNamespace("doomed").withName("inside").get());
        assertNotNull(admin.configMaps().inNamespace("doomed-not").withName("outside").get());
    }

    @Test
    void servesOneEventThroughBothEventApis() throws Exception {
        admin.v1().events().inNamespace("events").resource(new EventBuilder().withNewMetadata().withName("e1")
                .endMetadata().withNewInvolvedObject().withKind("Node").withName("n1").endInvolvedObject()
                .withReason("Tested").withMessage("through core").build()).create();
        JsonNode v1 = get("/apis/events.k8s.io/v1/namespaces/events/events/e1");
        assertEquals("events.k8s.io/v1", v1.path("apiVersion").asText());
        assertEquals("through core", v1.path("note").asText());
        assertEquals("n1", v1.path("regarding").path("name").asText());
        assertEquals(List.of("e1"), names(get("/apis/events.k8s.io/v1/namespaces/events/events?fieldSelector="
                + "regarding.name%3Dn1")));
    }

    @Test
    void storesRbacObjects() {
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("csr-reader")
                .endMetadata().addNewRule().withApiGroups("certificates.k8s.io")
                .withResources("certificatesigningrequests").withVerbs("get", "list").endRule().build()).create();
        admin.rbac().roleBindings().inNamespace("rbac").resource(new RoleBindingBuilder().withNewMetadata()
                .withName("readers").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("csr-reader").endRoleRef().addNewSubject().withKind("User")
                .withName("jane").endSubject().build()).create();
        assertEquals("csr-reader", admin.rbac().clusterRoles().withName("csr-reader").get().getMetadata().getName());
        assertEquals(1, admin.rbac().roleBindings().inNamespace("rbac").list().getItems().size());
    }
}
