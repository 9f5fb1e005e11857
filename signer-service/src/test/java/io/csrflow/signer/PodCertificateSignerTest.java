package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.EventType;
import io.csrflow.pki.Pem;
import io.csrflow.pki.RotationDeadline;
import io.csrflow.service.PodCertificateSnapshots;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.PrometheusText;
import io.csrflow.testsupport.ClusterManifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The signer answering PodCertificateRequests that kubelets (nodes of the emulator, which enforces the
 * API's rules) create for their pods, on {@code pcr.observed} events: what it issues, what it denies
 * and how it says so, that it answers once, and that it leaves other signers' requests alone.
 */
@QuarkusTest
@TestProfile(WorkloadSignerResource.WorkloadSigners.class)
class PodCertificateSignerTest {
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final String WEB = "pods-web";
    private static final String NODE = "pcr-n1";
    private static final String NODE_TOKEN = "pcr-n1-token";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    KubernetesClient node;
    EventSender sender;

    @BeforeEach
    void connect() throws Exception {
        admin = emulator.client("admin-token");
        sender = new EventSender(KafkaBrokers.shared(), "/test/watcher");
        emulator.addUser(new EmulatorConfig.User(NODE_TOKEN, "system:node:" + NODE, null, List.of("system:nodes"),
                null));
        node = emulator.client(NODE_TOKEN);
        if (admin.namespaces().withName(WEB).get() != null) {
            return;
        }
        // What an operator applies with pod-certificates settings (k8s/components/pod-certificates).
        for (String file : List.of("ClusterRole-signer-service-pod-certificates.yaml",
                "ClusterRoleBinding-signer-service-pod-certificates.yaml")) {
            for (HasMetadata object : admin.load(Files.newInputStream(ClusterManifests.root().resolve(
                    "k8s/components/pod-certificates/" + file))).items()) {
                admin.resource(object).create();
            }
        }
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
        for (String namespace : List.of(WEB, "pods-batch", "pods-other")) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
            for (String account : List.of("web", "db")) {
                admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                        .withName(account).endMetadata().build()).create();
            }
        }
        pod(WEB, "web-0", "web", "web", "10.0.40.2");
        pod(WEB, "web-1", "web", "web", "10.0.40.3");
        pod(WEB, "db-0", "db", "db", "10.0.40.9");
        pod(WEB, "tool-0", "web", "tool", "10.0.40.10");
        pod(WEB, "gone-0", "web", "web", "10.0.40.11");
        pod("pods-batch", "job-0", "db", "job", "10.0.41.2");
        pod("pods-other", "web-0", "web", "web", "10.0.42.2");
        service("web", "web-0", "web-1");
        service("mixed", "web-0", "db-0");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        node.close();
        admin.close();
    }

    @Test
    void aPodOfTheAllowListGetsItsIdentityAndItsServicesNamesOnce() throws Exception {
        KeyPair key = ec("secp256r1");
        GenericKubernetesResource created = request(WEB, "web-0", key, 3600, Map.of());
        announce(created);
        Map<String, Object> condition = awaitAnswer(created);
        assertEquals("Issued", condition.get("type"), condition.toString());
        String message = (String) condition.get("message");
        assertTrue(message.contains("spiffe://test.example/ns/pods-web/sa/web"), message);
        assertTrue(message.contains("Service pods-web/mixed also selects pods that do not run as service account web "
                + "(db-0)"), message);

        Map<String, Object> status = status(live(created));
        X509Certificate leaf = Pem.firstCertificate((String) status.get("certificateChain"));
        assertEquals(List.of(List.of(2, "web.pods-web.svc.cluster.local"), List.of(2, "web.pods-web.svc"),
                List.of(6, "spiffe://test.example/ns/pods-web/sa/web")), leaf.getSubjectAlternativeNames().stream()
                .map(List::copyOf).toList());
        assertEquals("", leaf.getSubjectX500Principal().getName(), "an empty subject");
        assertTrue(Arrays.equals(key.getPublic().getEncoded(), leaf.getPublicKey().getEncoded()));
        X509Certificate ca = Pem.firstCertificate(Files.readString(WorkloadSignerResource.workload.resolve("ca.crt")));
        leaf.verify(ca.getPublicKey());
        Instant notBefore = Instant.parse((String) status.get("notBefore"));
        Instant notAfter = Instant.parse((String) status.get("notAfter"));
        assertEquals(leaf.getNotBefore().toInstant(), notBefore);
        assertEquals(Duration.ofHours(1), Duration.between(notBefore, notAfter), "what the kubelet asked for");
        Instant refresh = Instant.parse((String) status.get("beginRefreshAt"));
        Instant deadline = RotationDeadline.of(leaf.getSerialNumber().toString(16), notBefore, notAfter);
        Instant latest = notAfter.minus(Duration.ofMinutes(10));
        assertEquals((deadline.isAfter(latest) ? latest : deadline).getEpochSecond(), refresh.getEpochSecond());

        // The same event again, and one for a request of the same name recreated: nothing more is written.
        String version = live(created).getMetadata().getResourceVersion();
        announce(created);
        announce(created);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(version, live(created).getMetadata().getResourceVersion()));
        assertTrue(metric("issued", "Issued") >= 1);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("a key type the signer does not issue to", WEB, "web-1", "ed25519", Map.of(),
                        "UnsupportedKeyType", "key type ED25519 is not issued by signer csrflow.io/workload-serving; "
                                + "use ECDSAP256, ECDSAP384, RSA3072, RSA4096"),
                Arguments.of("a P-521 key, which the API accepts and this signer does not", WEB, "web-1", "p521",
                        Map.of(), "UnsupportedKeyType", "key type ECDSAP521 is not issued by signer"),
                Arguments.of("user annotations", WEB, "web-1", "p256", Map.of("example.org/ttl", "1h"),
                        "InvalidUnverifiedUserAnnotations", "defines no unverifiedUserAnnotations; remove "
                                + "[example.org/ttl]"),
                Arguments.of("annotations asking for names", WEB, "web-1", "p256", Map.of("csrflow.io/dns-names",
                        "kubernetes.default.svc"), "InvalidUnverifiedUserAnnotations", "[csrflow.io/dns-names]"),
                Arguments.of("labels outside the allow-list", WEB, "tool-0", "p256", Map.of(), "NotAllowed",
                        "matches none of the 2 pod-certificates.allow rules of signer csrflow.io/workload-serving"),
                Arguments.of("a namespace outside the allow-list", "pods-other", "web-0", "p256", Map.of(),
                        "NotAllowed", "Pod pods-other/web-0 (service account web"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalsAreDeniedWithTheReasonAndTheRule(String name, String namespace, String pod, String keyType,
            Map<String, String> annotations, String reason, String message) throws Exception {
        GenericKubernetesResource created = request(namespace, pod, keyType.equals("ed25519")
                ? KeyPairGenerator.getInstance("Ed25519").generateKeyPair()
                : ec(keyType.equals("p521") ? "secp521r1" : "secp256r1"), 3600, annotations);
        String before = metrics();
        announce(created);
        Map<String, Object> condition = awaitAnswer(created);
        assertEquals("Denied", condition.get("type"), condition.toString());
        assertEquals(reason, condition.get("reason"), condition.toString());
        assertTrue(((String) condition.get("message")).contains(message), condition.toString());
        assertFalse(status(live(created)).containsKey("certificateChain"));
        assertEquals(1.0, counted(metrics(), "denied", reason) - counted(before, "denied", reason), 0.0);
    }

    @Test
    void aPodDeletedBeforeTheAnswerIsDenied() throws Exception {
        GenericKubernetesResource created = request(WEB, "gone-0", ec("secp384r1"), 3600, Map.of());
        admin.pods().inNamespace(WEB).withName("gone-0").withGracePeriod(0).delete();
        await().atMost(WAIT).until(() -> admin.pods().inNamespace(WEB).withName("gone-0").get() == null);
        announce(created);
        Map<String, Object> condition = awaitAnswer(created);
        assertEquals("PodGone", condition.get("reason"), condition.toString());
    }

    @Test
    void anyPodOfAnAllowedNamespaceWithoutServicesGetsItsIdentityOnly() throws Exception {
        GenericKubernetesResource created = request("pods-batch", "job-0", ec("secp256r1"), 7200, Map.of());
        announce(created);
        assertEquals("Issued", awaitAnswer(created).get("type"));
        X509Certificate leaf = Pem.firstCertificate((String) status(live(created)).get("certificateChain"));
        assertEquals(List.of(List.of(6, "spiffe://test.example/ns/pods-batch/sa/db")),
                leaf.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
    }

    @Test
    void anotherSignersRequestIsLeftAlone() throws Exception {
        GenericKubernetesResource created = request(WEB, "web-1", ec("secp256r1"), 3600, Map.of(),
                "example.com/pods");
        announce(created);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).untilAsserted(() ->
                assertEquals(Map.of(), status(live(created))));
    }

    /**
     * Hostile neighbours: a slice of the pod's namespace that no trusted controller wrote names it for
     * a Service; a forged event names a request that does not exist, another a request with another
     * uid; a record that is no event. None gives a name, a certificate or a crash, and the next real
     * request is answered.
     */
    @Test
    void forgedSlicesAndEventsGiveNothing() throws Exception {
        admin.services().inNamespace(WEB).resource(new ServiceBuilder().withNewMetadata().withName("api")
                .withNamespace(WEB).endMetadata().withNewSpec().addNewPort().withPort(443).endPort().endSpec().build())
                .create();
        Pod web1 = admin.pods().inNamespace(WEB).withName("web-1").get();
        admin.discovery().v1().endpointSlices().inNamespace(WEB).resource(new EndpointSliceBuilder().withNewMetadata()
                .withName("api-forged").withNamespace(WEB).addToLabels("kubernetes.io/service-name", "api")
                .addToLabels("endpointslice.kubernetes.io/managed-by", "someone-else").endMetadata()
                .withAddressType("IPv4").addNewEndpoint().withAddresses("10.0.40.3").withNewTargetRef().withKind("Pod")
                .withNamespace(WEB).withName("web-1").withUid(web1.getMetadata().getUid()).endTargetRef().endEndpoint()
                .build()).create();

        GenericKubernetesResource real = request(WEB, "web-1", ec("secp256r1"), 3600, Map.of());
        GenericKubernetesResource ghost = new GenericKubernetesResource();
        ghost.setApiVersion(real.getApiVersion());
        ghost.setKind(real.getKind());
        ghost.setMetadata(new ObjectMetaBuilder(real.getMetadata()).withName("ghost-request").withUid("ghost-uid")
                .build());
        ghost.setAdditionalProperties(real.getAdditionalProperties());
        announce(ghost);
        GenericKubernetesResource otherUid = new GenericKubernetesResource();
        otherUid.setApiVersion(real.getApiVersion());
        otherUid.setKind(real.getKind());
        otherUid.setMetadata(new ObjectMetaBuilder(real.getMetadata()).withUid("another-uid").build());
        otherUid.setAdditionalProperties(real.getAdditionalProperties());
        announce(otherUid);
        sender.sendRaw(EventType.POD_CERTIFICATE_OBSERVED.defaultTopic(), WEB + "/junk", "{not an event".getBytes(
                StandardCharsets.UTF_8));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(Map.of(), status(live(real)), "an event with another uid is not this request"));

        announce(real);
        Map<String, Object> condition = awaitAnswer(real);
        assertEquals("Issued", condition.get("type"), condition.toString());
        assertTrue(((String) condition.get("message")).contains("Service pods-web/api has EndpointSlice api-forged "
                + "managed by someone-else"), condition.toString());
        X509Certificate leaf = Pem.firstCertificate((String) status(live(real)).get("certificateChain"));
        assertFalse(leaf.getSubjectAlternativeNames().stream().anyMatch(n -> String.valueOf(n.get(1)).startsWith("api.")),
                leaf.getSubjectAlternativeNames().toString());
        assertTrue(metrics().contains("csrflow_signer_records_malformed_total"), "the junk record is counted");
    }

    /** A running pod of {@code account} on the node, its IP written through pods/status as the kubelet would. */
    private void pod(String namespace, String name, String account, String app, String ip) {
        admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).addToLabels("app", app).endMetadata().withNewSpec()
                .withServiceAccountName(account).withNodeName(NODE).addNewContainer().withName("app")
                .withImage("registry.example/app:1").endContainer().endSpec().build()).create();
        admin.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).withNewStatus()
                .withPhase("Running").withPodIP(ip).addNewPodIP(ip).endStatus().build());
    }

    /** A Service and the EndpointSlice the EndpointSlice controller would write for it. */
    private void service(String name, String... pods) {
        admin.services().inNamespace(WEB).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(WEB).endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withPort(443)
                .endPort().endSpec().build()).create();
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-abcde")
                .withNamespace(WEB).addToLabels("kubernetes.io/service-name", name)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4");
        for (String pod : pods) {
            Pod live = admin.pods().inNamespace(WEB).withName(pod).get();
            slice.addNewEndpoint().withAddresses(live.getStatus().getPodIP()).withNewTargetRef().withKind("Pod")
                    .withNamespace(WEB).withName(pod).withUid(live.getMetadata().getUid()).endTargetRef().endEndpoint();
        }
        admin.discovery().v1().endpointSlices().inNamespace(WEB).resource(slice.build()).create();
    }

    private GenericKubernetesResource request(String namespace, String podName, KeyPair key, int maxSeconds,
            Map<String, String> annotations) throws Exception {
        return request(namespace, podName, key, maxSeconds, annotations, SIGNER);
    }

    /** What the node's kubelet creates for its pod: the UIDs it knows, the key and its proof over the pod's UID. */
    private GenericKubernetesResource request(String namespace, String podName, KeyPair key, int maxSeconds,
            Map<String, String> annotations, String signer) throws Exception {
        Pod pod = admin.pods().inNamespace(namespace).withName(podName).get();
        String podUid = pod.getMetadata().getUid();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("signerName", signer);
        spec.put("podName", podName);
        spec.put("podUID", podUid);
        spec.put("serviceAccountName", pod.getSpec().getServiceAccountName());
        spec.put("serviceAccountUID", admin.serviceAccounts().inNamespace(namespace)
                .withName(pod.getSpec().getServiceAccountName()).get().getMetadata().getUid());
        spec.put("nodeName", NODE);
        spec.put("nodeUID", admin.nodes().withName(NODE).get().getMetadata().getUid());
        spec.put("maxExpirationSeconds", maxSeconds);
        spec.put("pkixPublicKey", Base64.getEncoder().encodeToString(key.getPublic().getEncoded()));
        spec.put("proofOfPossession", Base64.getEncoder().encodeToString(proof(key, podUid)));
        if (!annotations.isEmpty()) {
            spec.put("unverifiedUserAnnotations", annotations);
        }
        GenericKubernetesResource request = new GenericKubernetesResource();
        request.setApiVersion("certificates.k8s.io/v1beta1");
        request.setKind("PodCertificateRequest");
        request.setMetadata(new ObjectMetaBuilder().withGenerateName(podName + "-")
                .withNamespace(namespace).build());
        request.setAdditionalProperty("spec", spec);
        return node.genericKubernetesResources("certificates.k8s.io/v1beta1", "PodCertificateRequest")
                .inNamespace(namespace).resource(request).create();
    }

    private void announce(GenericKubernetesResource request) {
        sender.send(EventType.POD_CERTIFICATE_OBSERVED, PodCertificateSnapshots.of(request, false, Instant.now()));
    }

    private GenericKubernetesResource live(GenericKubernetesResource request) {
        return admin.genericKubernetesResources("certificates.k8s.io/v1beta1", "PodCertificateRequest")
                .inNamespace(request.getMetadata().getNamespace()).withName(request.getMetadata().getName()).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource request) {
        Object status = request.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> awaitAnswer(GenericKubernetesResource request) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Object conditions = status(live(request)).get("conditions");
            return conditions instanceof List<?> list && !list.isEmpty() ? (Map<String, Object>) list.get(0) : null;
        }, c -> c != null);
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double counted(String exposition, String outcome, String reason) {
        return PrometheusText.sum(exposition, "csrflow_signer_pod_certificates_total", Map.of("signer", SIGNER,
                "outcome", outcome, "reason", reason));
    }

    private static double metric(String outcome, String reason) {
        return counted(metrics(), outcome, reason);
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    /** The kubelet's proof: Ed25519 over the UID's bytes, ECDSA over their SHA-256. */
    private static byte[] proof(KeyPair key, String podUid) throws Exception {
        Signature signature = Signature.getInstance(key.getPublic().getAlgorithm().equals("EC") ? "SHA256withECDSA"
                : "Ed25519");
        signature.initSign(key.getPrivate());
        signature.update(podUid.getBytes(StandardCharsets.US_ASCII));
        return signature.sign();
    }
}
