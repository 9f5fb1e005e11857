package io.csrflow.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundle;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The kubelet's PodCertificateRequests and the pods they are for, as an API server receives and
 * answers them (fabric8's CRUD server; a real API server's refusals as canned answers).
 */
@EnableKubernetesMockClient(crud = true)
class PodCertificateRequestsTest {
    private static final String PATH = "/apis/certificates.k8s.io/v1beta1/namespaces/sim-pods/podcertificaterequests";
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PodCertificateRequests.Subject SUBJECT = new PodCertificateRequests.Subject("sim-pods",
            "cert-pod-1", "7f1b2c3d-0000-4000-8000-000000000001", "pod-sa-1", "5e6f7a8b-0000-4000-8000-000000000002",
            "sim-node-1", "1a2b3c4d-0000-4000-8000-000000000003");

    KubernetesMockServer server;
    KubernetesClient client;

    private ScheduledExecutorService scheduler;
    private KubernetesClient noRetries;
    private PodCertificateRequests requests;
    private final PodCertificateKey key = PodCertificateKey.generate(PodCertificateKey.Type.ECDSAP256);

    @BeforeEach
    void start() {
        scheduler = Executors.newScheduledThreadPool(2);
        requests = new PodCertificateRequests(scheduler, new Poller(scheduler, Duration.ofMillis(100),
                Duration.ofSeconds(30)));
        // fabric8 retries 5xx by itself; here each answer is to reach the adapter as it is.
        noRetries = server.createClient(builder -> builder.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
    }

    @AfterEach
    void stop() {
        noRetries.close();
        scheduler.shutdownNow();
    }

    private GenericKubernetesResource request() {
        return PodCertificateRequests.build(SUBJECT, SIGNER, 3600, key.pkixPublicKey(),
                key.proofOfPossession(SUBJECT.podUid()));
    }

    @Test
    void theRequestIsWhatTheKubeletWrites() throws Exception {
        JsonNode json = JSON.readTree(Serialization.asJson(request()));

        assertEquals("certificates.k8s.io/v1beta1", json.path("apiVersion").asText());
        assertEquals("PodCertificateRequest", json.path("kind").asText());
        JsonNode metadata = json.path("metadata");
        assertEquals("req-", metadata.path("generateName").asText());
        assertTrue(metadata.path("name").isMissingNode(), metadata.toString());
        assertEquals("sim-pods", metadata.path("namespace").asText());
        assertEquals(JSON.readTree("[{\"apiVersion\":\"core/v1\",\"kind\":\"Pod\",\"name\":\"cert-pod-1\","
                + "\"uid\":\"7f1b2c3d-0000-4000-8000-000000000001\"}]"), metadata.path("ownerReferences"));
        JsonNode spec = json.path("spec");
        assertEquals(List.of("signerName", "podName", "podUID", "serviceAccountName", "serviceAccountUID", "nodeName",
                "nodeUID", "maxExpirationSeconds", "pkixPublicKey", "proofOfPossession"), names(spec));
        assertEquals(SIGNER, spec.path("signerName").asText());
        assertEquals("cert-pod-1", spec.path("podName").asText());
        assertEquals(SUBJECT.podUid(), spec.path("podUID").asText());
        assertEquals("pod-sa-1", spec.path("serviceAccountName").asText());
        assertEquals(SUBJECT.serviceAccountUid(), spec.path("serviceAccountUID").asText());
        assertEquals("sim-node-1", spec.path("nodeName").asText());
        assertEquals(SUBJECT.nodeUid(), spec.path("nodeUID").asText());
        assertTrue(spec.path("maxExpirationSeconds").isInt());
        assertEquals(3600, spec.path("maxExpirationSeconds").asInt());
        assertArrayEquals(key.pkixPublicKey(), Base64.getDecoder().decode(spec.path("pkixPublicKey").asText()));
        assertEquals(key.key().keys().getPublic(), KeyFactory.getInstance("EC").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(spec.path("pkixPublicKey").asText()))));
        assertTrue(Base64.getDecoder().decode(spec.path("proofOfPossession").asText()).length > 0);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void createsTheRequestAndWaitsForItsIssuedCondition() throws Exception {
        var answer = requests.submit(client, request());
        GenericKubernetesResource created = await().atMost(Duration.ofSeconds(20)).until(
                () -> client.genericKubernetesResources(PodCertificateRequests.CONTEXT).inNamespace("sim-pods").list()
                        .getItems(), items -> items.size() == 1).get(0);
        assertTrue(created.getMetadata().getName().startsWith("req-"), created.getMetadata().getName());
        assertFalse(answer.isDone());

        created.setAdditionalProperty("status", Map.of(
                "conditions", List.of(Map.of("type", "Issued", "status", "True", "reason", "Issued",
                        "message", "issued by csrflow", "lastTransitionTime", "2026-03-01T10:00:01Z")),
                "certificateChain", "-----BEGIN CERTIFICATE-----\n...\n",
                "notBefore", "2026-03-01T10:00:00Z",
                "beginRefreshAt", "2026-03-01T10:40:00Z",
                "notAfter", "2026-03-01T11:00:00Z"));
        client.genericKubernetesResources(PodCertificateRequests.CONTEXT).resource(created).update();

        PodCertificateOutcome.Issued issued = assertInstanceOf(PodCertificateOutcome.Issued.class,
                answer.get(30, TimeUnit.SECONDS));
        assertEquals(created.getMetadata().getName(), issued.requestName());
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), issued.notBefore());
        assertEquals(Instant.parse("2026-03-01T10:40:00Z"), issued.beginRefreshAt());
        assertEquals(Instant.parse("2026-03-01T11:00:00Z"), issued.notAfter());
        assertEquals("-----BEGIN CERTIFICATE-----\n...\n", issued.certificateChain());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "403, Forbidden, 'node \"sim-node-2\" can only create PodCertificateRequests for pods bound to it'",
        "422, Invalid, 'spec.proofOfPossession: Invalid value: \"...\": could not verify proof-of-possession signature'",
    })
    void theApisRefusalToCreateIsAnAnswer(int code, String reason, String message) throws Exception {
        server.expect().post().withPath(PATH).andReturn(code, new StatusBuilder().withCode(code).withStatus("Failure")
                .withReason(reason).withMessage(message).build()).once();

        PodCertificateOutcome.Refused refused = assertInstanceOf(PodCertificateOutcome.Refused.class,
                requests.submit(noRetries, request()).get(30, TimeUnit.SECONDS));

        assertEquals(new PodCertificateOutcome.Refused(null, Integer.toString(code), reason, message), refused);
        assertTrue(refused.byApi());
    }

    @Test
    void anUnavailableApiIsNoAnswer() {
        server.expect().post().withPath(PATH).andReturn(503, new StatusBuilder().withCode(503).withStatus("Failure")
                .withReason("ServiceUnavailable").build()).once();

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> requests.submit(noRetries, request()).get(30, TimeUnit.SECONDS));
        assertEquals(503, assertInstanceOf(KubernetesClientException.class, failure.getCause()).getCode());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Denied UnsupportedKeyType | [{\"type\":\"Denied\",\"status\":\"True\",\"reason\":\"UnsupportedKeyType\",\"message\":\"ED25519 keys are not allowed\"}] | Denied UnsupportedKeyType",
        "Failed                    | [{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"CAUnusable\",\"message\":\"no CA\"}]           | Failed CAUnusable",
        "no conditions             | []                                                                                        | pending",
        "a condition not yet True  | [{\"type\":\"Denied\",\"status\":\"False\",\"reason\":\"X\",\"message\":\"\"}]                          | pending",
        "another condition type    | [{\"type\":\"Progressing\",\"status\":\"True\",\"reason\":\"X\",\"message\":\"\"}]                      | pending",
    })
    void readsTheTerminalConditionOnly(String name, String conditions, String expected) {
        GenericKubernetesResource request = Serialization.unmarshal("{\"apiVersion\":\"certificates.k8s.io/v1beta1\","
                + "\"kind\":\"PodCertificateRequest\",\"metadata\":{\"name\":\"req-q\",\"namespace\":\"sim-pods\"},"
                + "\"status\":{\"conditions\":" + conditions + "}}", GenericKubernetesResource.class);

        PodCertificateOutcome outcome = PodCertificateRequests.outcomeOf(request);

        if (expected.equals("pending")) {
            assertNull(outcome);
        } else {
            PodCertificateOutcome.Refused refused = assertInstanceOf(PodCertificateOutcome.Refused.class, outcome);
            assertEquals(expected, refused.code() + " " + refused.reason());
            assertEquals("req-q", refused.requestName());
            assertFalse(refused.byApi());
        }
    }

    @Test
    void theKubeletReadsThePodsServiceAccountsAndNodesUids() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("sim-pods").endMetadata().build())
                .create();
        var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName("sim-node-1").endMetadata()
                .build()).create();
        PodCertificateSpec spec = PodCertificateSpec.of(0, 1, 0, 1, "sim-node-", PodCertificateKey.Type.ECDSAP384);
        WorkloadObjects.PlacedPod placed = new WorkloadObjects(client).placeCertificatePod(spec, SIGNER, 7200);

        PodCertificateRequests.Subject subject = PodCertificateRequests.lookUp(client, "sim-node-1", "sim-pods",
                "cert-pod-1");

        assertEquals(new PodCertificateRequests.Subject("sim-pods", "cert-pod-1", placed.podUid(), "pod-sa-1",
                placed.serviceAccountUid(), "sim-node-1", node.getMetadata().getUid()), subject);
        assertFalse(placed.podUid().isEmpty());
    }

    @Test
    void thePodMountsAPodCertificateVolumeAndIsBoundToItsNode() throws Exception {
        PodCertificateSpec spec = PodCertificateSpec.of(4, 6, 0, 3, "sim-node-", PodCertificateKey.Type.RSA3072);
        new WorkloadObjects(client).placeCertificatePod(spec, SIGNER, 7200);

        Pod pod = client.pods().inNamespace("sim-pods").withName("cert-pod-5").get();
        JsonNode json = JSON.readTree(Serialization.asJson(pod));

        assertEquals("sim-node-2", json.path("spec").path("nodeName").asText());
        assertEquals("pod-sa-2", json.path("spec").path("serviceAccountName").asText());
        assertEquals(JSON.readTree("{\"signerName\":\"csrflow.io/workload-serving\",\"keyType\":\"RSA3072\","
                + "\"maxExpirationSeconds\":7200,\"credentialBundlePath\":\"credentialbundle.pem\"}"),
                json.path("spec").path("volumes").path(0).path("projected").path("sources").path(0).path("podCertificate"));
        assertEquals("pod-certificate", json.path("spec").path("containers").path(0).path("volumeMounts").path(0)
                .path("name").asText());
        assertEquals("10.246.0.15", json.path("status").path("podIP").asText());
        assertEquals("Running", json.path("status").path("phase").asText());
    }

    @Test
    void onlyTheSignersTrustBundlesCount() {
        for (String[] bundle : List.of(new String[] {"csrflow.io:workload-serving:a1", SIGNER, "PEM-A"},
                new String[] {"csrflow.io:other:b2", "csrflow.io/other", "PEM-B"},
                new String[] {"csrflow.io:workload-serving:c3", SIGNER, "PEM-C"})) {
            client.resources(ClusterTrustBundle.class)
                    .resource(new ClusterTrustBundleBuilder().withNewMetadata().withName(bundle[0]).endMetadata()
                            .withNewSpec().withSignerName(bundle[1]).withTrustBundle(bundle[2]).endSpec().build())
                    .create();
        }

        assertEquals(List.of("PEM-A", "PEM-C"), PodCertificateRequests.trustBundles(client, SIGNER).stream().sorted()
                .toList());
    }
}
