package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

class AccessReviewAndResourcesTest {
    static KubeEmulator emulator;
    static KubernetesClient admin;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    @ParameterizedTest(name = "{0} in {1}: create {2} -> {3}")
    @CsvSource({
        "system:bootstrap:abcdef, system:bootstrappers:kubeadm:default-node-token, certificatesigningrequests/nodeclient, true",
        "system:bootstrap:abcdef, system:bootstrappers:kubeadm:default-node-token, certificatesigningrequests/selfnodeclient, false",
        "system:node:worker-1, system:nodes, certificatesigningrequests/selfnodeclient, true",
        "system:node:worker-1, system:nodes, certificatesigningrequests/nodeclient, false",
        "jane, developers, certificatesigningrequests/nodeclient, false",
        "admin, system:masters, certificatesigningrequests/nodeclient, true",
    })
    void answersSubjectAccessReviewsFromTheRules(String user, String group, String resource, boolean allowed) {
        String[] parts = resource.split("/");
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user).withGroups(group, "system:authenticated").withUid("u-1")
                .withNewResourceAttributes().withGroup("certificates.k8s.io").withResource(parts[0])
                .withSubresource(parts[1]).withVerb("create").endResourceAttributes()
                .endSpec().build();

        SubjectAccessReview answer = admin.authorization().v1().subjectAccessReview().create(review);

        assertEquals(allowed, answer.getStatus().getAllowed());
        // As the API server: RBAC names the binding that allowed (system:masters needs none); a denial has no reason.
        String reason = answer.getStatus().getReason() == null ? "" : answer.getStatus().getReason();
        assertEquals(allowed && !group.equals("system:masters"), reason.startsWith("RBAC: allowed by "), reason);
        assertTrue(allowed || reason.isEmpty(), reason);
    }

    @Test
    void subjectAccessReviewWithoutUserOrGroupIsInvalid() {
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                .withVerb("create").endResourceAttributes().endSpec().build();
        assertEquals(422, assertThrows(KubernetesClientException.class,
                () -> admin.authorization().v1().subjectAccessReview().create(review)).getCode());
    }

    @Test
    void servesNodesWithAddressesEventsConfigMapsAndLeases() {
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-9").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("10.0.0.9").endAddress()
                .addNewAddress().withType("Hostname").withAddress("worker-9").endAddress().endStatus().build())
                .create();
        Node node = admin.nodes().withName("worker-9").get();
        assertEquals("10.0.0.9", node.getStatus().getAddresses().get(0).getAddress());

        admin.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                .withName("e1").withNamespace("default").endMetadata().withReason("Test").withMessage("hello")
                .build()).create();
        assertEquals("hello", admin.v1().events().inNamespace("default").withName("e1").get().getMessage());

        admin.configMaps().inNamespace("csrflow").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("bundle").endMetadata().addToData("ca.crt", "pem").build()).create();
        assertEquals("pem", admin.configMaps().inNamespace("csrflow").withName("bundle").get().getData()
                .get("ca.crt"));

        Lease lease = admin.leases().inNamespace("csrflow").resource(new LeaseBuilder().withNewMetadata()
                .withName("leader").endMetadata().withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        Lease taken = admin.leases().inNamespace("csrflow").resource(new LeaseBuilder(lease).editSpec()
                .withHolderIdentity("b").endSpec().build()).update();
        assertEquals("b", taken.getSpec().getHolderIdentity());
        KubernetesClientException stale = assertThrows(KubernetesClientException.class,
                () -> admin.leases().inNamespace("csrflow").resource(new LeaseBuilder(lease).editSpec()
                        .withHolderIdentity("c").endSpec().build()).update());
        assertEquals(409, stale.getCode());
        assertEquals("Conflict", stale.getStatus().getReason());
    }

    @Test
    void listsEventsByFieldSelectorAsKubectlDescribeAsksForThem() {
        for (String name : List.of("csr-a", "csr-b")) {
            admin.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata()
                    .withName(name + ".1").withNamespace("default").endMetadata().withType("Warning")
                    .withNewInvolvedObject().withKind("CertificateSigningRequest").withName(name).endInvolvedObject()
                    .withReason("Test").build()).create();
        }
        var found = admin.v1().events().inAnyNamespace()
                .withField("involvedObject.name", "csr-a")
                .withField("involvedObject.kind", "CertificateSigningRequest").list().getItems();
        assertEquals(List.of("csr-a.1"), found.stream().map(e -> e.getMetadata().getName()).toList());
        assertEquals(0, admin.v1().events().inAnyNamespace().withField("involvedObject.name", "csr-a")
                .withoutField("type", "Warning").list().getItems().size());
    }

    @Test
    void servesDiscoveryAndCountsRequests() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/version", "/api", "/apis", "/api/v1", "/apis/certificates.k8s.io/v1",
                "/apis/coordination.k8s.io/v1?timeout=32s")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                    .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""), path);
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertTrue(body.has("kind") || body.has("gitVersion"), path + ": " + response.body());
        }
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(emulator.url() + "/apis/apps/v1"))
                .header("Authorization", "Bearer admin-token").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());

        admin.nodes().list();
        JsonNode counts = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                URI.create(emulator.url() + "/emulator/requests")).build(), HttpResponse.BodyHandlers.ofString())
                .body());
        assertTrue(counts.path("byVerbAndResource").path("list nodes").asLong() >= 1, counts.toString());
        assertTrue(counts.path("total").asLong() >= 8);
    }
}
