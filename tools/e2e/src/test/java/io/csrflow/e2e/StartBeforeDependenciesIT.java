package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.testsupport.ClusterManifests;
import io.csrflow.testsupport.JavaProcess;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaProcess;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The four packaged services started before what they depend on, as a cluster may start them: the
 * Kafka bootstrap server's name does not resolve yet (the services resolve names from a hosts file
 * of the test's, {@code -Djdk.net.hosts.file}) and nothing listens at the API server's address.
 * Each must stay up, live, and not ready, saying which of the two is missing; become ready without a
 * restart as the API server and then the broker appear; and handle a CSR created while the broker's
 * name still did not resolve: approved, signed, announced and tracked, nothing lost.
 */
class StartBeforeDependenciesIT {
    private static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    private static final Path LOGS = Path.of("target", "e2e-logs").toAbsolutePath();
    private static final String KAFKA_NAME = "kafka.csrflow.test";
    private static final String KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The token each service logs in with: the emulator maps it to the service's ServiceAccount in k8s/. */
    private static final Map<String, String> TOKENS = Map.of("csr-watcher", "csr-watcher-token",
            "approver-service", "approver-token", "signer-service", "signer-token",
            "rotation-scheduler", "rotation-scheduler-token");

    @TempDir
    Path dir;
    private final Map<String, JavaProcess> services = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private KafkaProcess kafka;
    private KubeEmulator api;

    @Test
    void eachServiceWaitsNotReadyForTheApiAndForABrokerWhoseNameDoesNotResolveYetThenDoesItsWork() throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        kafka = new KafkaProcess();
        String bootstrap = KAFKA_NAME + kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':'));
        int apiPort = JavaProcess.freePort();
        String apiUrl = "https://127.0.0.1:" + apiPort;
        for (String service : LocalSystem.SERVICES) {
            startService(service, bootstrap, apiUrl, hosts);
        }
        for (String service : LocalSystem.SERVICES) {
            services.get(service).awaitAnswer(ports.get(service), "/q/health/live", Duration.ofMinutes(2));
        }

        for (String service : LocalSystem.SERVICES) {
            assertTrue(services.get(service).alive(), service + " exited; see " + services.get(service).log());
            assertEquals(200, health(service, "live").statusCode(), service + " is not live");
            HttpResponse<String> ready = health(service, "ready");
            assertEquals(503, ready.statusCode(), service + " is ready without Kafka and the API: " + ready.body());
            assertTrue(ready.body().contains("bootstrap host " + KAFKA_NAME + " does not resolve yet"),
                    service + " does not say which name does not resolve: " + ready.body());
            // The answer is kept 5 s: wait until it is one given with the API down.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(health(service, "ready").body()
                    .contains("API " + apiUrl + "/ not reachable"), service + " does not say the API is missing"));
        }

        api = KubeEmulator.start(EmulatorConfig.defaults().withRbac(ClusterManifests.devOverlay()), "127.0.0.1",
                apiPort, true);
        try (KubernetesClient admin = api.client("admin-token")) {
            ClusterManifests.createServedObjects(admin);
        }
        for (String service : LocalSystem.SERVICES) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                HttpResponse<String> ready = health(service, "ready");
                assertFalse(ready.body().contains("not reachable"), service + " still misses the API: " + ready.body());
                assertEquals(503, ready.statusCode(), service + " is ready without Kafka: " + ready.body());
            });
        }

        // The watcher sees this CSR while it cannot publish: it must keep it until the broker is there.
        String csrName = "early-node-client";
        TestCsrs request = TestCsrs.kubelet("early-node");
        try (KubernetesClient asBootstrap = api.client("bootstrap-token")) {
            asBootstrap.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder()
                    .withNewMetadata().withName(csrName).endMetadata()
                    .withNewSpec().withRequest(request.base64Pem()).withSignerName(KUBELET_SIGNER)
                    .withUsages(List.of("digital signature", "client auth")).endSpec().build()).create();
        }

        kafka.start();
        KafkaBrokers.createTopics(kafka.bootstrapServers(), 3,
                Stream.concat(KafkaBrokers.contractTopics().stream(), KafkaBrokers.deadLetterTopics().stream()).toList());
        Files.writeString(hosts, "127.0.0.1 " + KAFKA_NAME + "\n", StandardOpenOption.APPEND);
        for (String service : LocalSystem.SERVICES) {
            // A failed lookup is remembered 10 s by the JVM and looked up again within 10 s.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(200,
                    health(service, "ready").statusCode(), () -> service + " is not ready: " + health(service, "ready")
                            .body()));
            assertTrue(services.get(service).alive(), service + " restarted");
        }

        try (KubernetesClient admin = api.client("admin-token")) {
            CertificateSigningRequest issued = await().atMost(Duration.ofSeconds(60)).until(
                    () -> admin.certificates().v1().certificateSigningRequests().withName(csrName).get(),
                    csr -> csr.getStatus() != null && csr.getStatus().getCertificate() != null);
            assertTrue(issued.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Approved")
                    && c.getReason().equals("AutoApproved")), "approved by the approver: " + issued.getStatus());
            String serial = certificate(issued).getSerialNumber().toString(16);
            String identity = URLEncoder.encode(KUBELET_SIGNER + "|system:node:early-node", StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(serial,
                    JSON.readTree(JavaProcess.get(ports.get("rotation-scheduler"), "/v1/certificates/" + identity)
                            .body()).path("serial").asText(), "the scheduler tracks the certificate"));
            // What the signer could not publish while the API was away: its CAs' trust bundle.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var bundles = admin.configMaps().inNamespace("csrflow").withName("csrflow-ca-bundles").get();
                return bundles.getData() != null && bundles.getData().containsKey("kube-apiserver-client-kubelet.crt");
            });
        }
    }

    private void startService(String service, String bootstrap, String apiUrl, Path hosts) throws Exception {
        int port = JavaProcess.freePort();
        ports.put(service, port);
        Path kubeconfig = Files.writeString(dir.resolve(service + ".kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: csrflow
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: true
                users:
                  - name: %s
                    user:
                      token: %s
                contexts:
                  - name: csrflow
                    context:
                      cluster: csrflow
                      user: %s
                current-context: csrflow
                """.formatted(apiUrl, service, TOKENS.get(service), service));
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("KUBECONFIG", kubeconfig.toString());
        // Names resolve from the test's file, which gains the broker's name when the broker is there.
        env.put("JAVA_TOOL_OPTIONS", "-Djdk.net.hosts.file=" + hosts);
        switch (service) {
            case "signer-service" -> {
                TestCa ca = TestCa.create(dir.resolve("ca"), "csrflow-early-ca", Instant.now().minus(Duration.ofHours(1)),
                        Instant.now().plus(Duration.ofDays(2)));
                env.put("CSRFLOW_SIGNER_CA_CERT_FILE", ca.certFile().toString());
                env.put("CSRFLOW_SIGNER_CA_KEY_FILE", ca.keyFile().toString());
            }
            case "rotation-scheduler" -> {
                env.put("CSRFLOW_SCHEDULER_STATE_DIR", Files.createDirectories(dir.resolve("scheduler-state")).toString());
                env.put("CSRFLOW_SCHEDULER_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
            }
            default -> {
            }
        }
        services.put(service, JavaProcess.quarkus(service + "-early", ROOT.resolve(service), LOGS, env));
    }

    private HttpResponse<String> health(String service, String which) {
        return JavaProcess.get(ports.get(service), "/q/health/" + which);
    }

    private static X509Certificate certificate(CertificateSigningRequest csr) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(csr.getStatus().getCertificate())));
    }

    @AfterEach
    void stop() {
        services.values().forEach(JavaProcess::close);
        if (api != null) {
            api.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
