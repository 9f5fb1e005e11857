package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetArgumentsTest {
    private static final String[] REQUIRED = {"--server", "https://api:6443", "--bootstrap-token", "abcdef.0123456789abcdef"};

    private static FleetSettings settings(Map<String, String> env, String... more) {
        return new FleetArguments(concat(more), env).settings();
    }

    private static String error(Map<String, String> env, String... args) {
        return assertThrows(IllegalArgumentException.class, () -> new FleetArguments(args, env).settings()).getMessage();
    }

    @Test
    void defaultsAreTwentyWellBehavedNodesWithTheSignersLifetime() {
        FleetSettings settings = settings(Map.of());
        assertEquals(20, settings.nodes());
        assertNull(settings.lifetime());
        assertNull(settings.kafka());
        assertEquals("csrflow.cert.renewal-due", settings.renewalDueTopic());
        assertEquals(Misbehaviour.NONE, settings.behaviourOf(19));
        assertEquals(Duration.ofSeconds(1), settings.pollInterval());
    }

    @Test
    void cryptoIsAccpFirstUnlessTheJdksProvidersAreAskedFor() {
        assertTrue(new FleetArguments(REQUIRED, Map.of()).preferAccp());
        assertFalse(new FleetArguments(concat("--crypto-provider", "jdk"), Map.of()).preferAccp());
        assertFalse(new FleetArguments(REQUIRED, Map.of("CSRFLOW_FLEET_CRYPTO_PROVIDER", "jdk")).preferAccp());
        assertEquals("--crypto-provider is auto or jdk, got 'BC'", assertThrows(IllegalArgumentException.class,
                () -> new FleetArguments(concat("--crypto-provider", "BC"), Map.of()).preferAccp()).getMessage());
    }

    @Test
    void optionsComeFromTheEnvironmentAndTheCommandLineWins() {
        FleetSettings settings = settings(Map.of("CSRFLOW_FLEET_NODES", "7", "CSRFLOW_FLEET_LIFETIME", "2h",
                "CSRFLOW_FLEET_KAFKA", "kafka:9092"), "--nodes", "9");
        assertEquals(9, settings.nodes());
        assertEquals(Duration.ofHours(2), settings.lifetime());
        assertEquals("kafka:9092", settings.kafka());
    }

    @Test
    void kafkaClientSettingsComeFromAPropertiesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        FleetSettings settings = settings(Map.of("CSRFLOW_FLEET_KAFKA_CONFIG", file.toString()), "--kafka", "k:9093");
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"), settings.kafkaClient());

        assertEquals("--kafka-config is for the renewal listener; it needs --kafka",
                error(Map.of(), concat("--kafka-config", file.toString())));
        assertTrue(error(Map.of(), concat("--kafka", "k:9093", "--kafka-config", dir.resolve("missing").toString()))
                .startsWith("--kafka-config " + dir.resolve("missing") + " cannot be read: "));
    }

    @Test
    void theLastNodesMisbehaveInTheOrderOfTheKinds() {
        FleetSettings settings = settings(Map.of(), "--nodes", "6", "--misbehave", "impersonate=2,foreign-san");
        assertEquals(Misbehaviour.NONE, settings.behaviourOf(2));
        assertEquals(Misbehaviour.IMPERSONATE, settings.behaviourOf(3));
        assertEquals(Misbehaviour.IMPERSONATE, settings.behaviourOf(4));
        assertEquals(Misbehaviour.FOREIGN_SAN, settings.behaviourOf(5));
    }

    @Test
    void badInputIsNamed() {
        assertEquals("unknown option --node", error(Map.of(), "--node", "3"));
        assertEquals("option --nodes needs a value", error(Map.of(), "--nodes"));
        assertTrue(error(Map.of(), "--bootstrap-token", "t").contains("--server is required"));
        assertEquals("--nodes needs a whole number, got 'many'", error(Map.of(), concat("--nodes", "many")));
        assertEquals("--lifetime needs a duration like 500ms, 90s, 10m or 2h, got '10 minutes'",
                error(Map.of(), concat("--lifetime", "10 minutes")));
        assertTrue(error(Map.of(), concat("--lifetime", "5m")).contains("at least 10m"));
        assertTrue(error(Map.of(), concat("--misbehave", "evil=1")).startsWith("unknown misbehaviour 'evil'"));
        assertEquals("4 misbehaving nodes asked for, but the fleet has 3",
                error(Map.of(), concat("--nodes", "3", "--misbehave", "weak-key=4")));
        assertTrue(FleetArguments.usage().contains("--starts-per-second"));
    }

    private static String[] concat(String... more) {
        String[] args = new String[REQUIRED.length + more.length];
        System.arraycopy(REQUIRED, 0, args, 0, REQUIRED.length);
        System.arraycopy(more, 0, args, REQUIRED.length, more.length);
        return args;
    }

    @Test
    void workloadsNeedAnAdminTokenAndMisbehaveOnlyWhereAnotherServiceOfTheirNamespaceExists() {
        assertEquals("--workloads needs --admin-token: the workloads' Namespaces, ServiceAccounts, Pods, Services and "
                + "EndpointSlices are made with it", error(Map.of(), concat("--workloads", "3")));
        assertTrue(error(Map.of(), concat("--workloads", "2", "--misbehaving-workloads", "1", "--admin-token", "t"))
                .startsWith("--misbehaving-workloads must be between 0 and workloads - 2"));
        FleetSettings settings = settings(Map.of("CSRFLOW_FLEET_ADMIN_TOKEN", "t"), "--workloads", "3",
                "--misbehaving-workloads", "1");
        assertEquals(3, settings.workloads().count());
        assertEquals("csrflow.io/workload-serving", settings.workloads().signerName());
        WorkloadSpec last = WorkloadSpec.of(2, 3, 1);
        assertEquals("sim-apps-a/web-2", last.label());
        assertEquals("web-1", last.foreignService());
        assertNull(WorkloadSpec.of(1, 3, 1).foreignService());
        assertEquals("sim-apps-b/web-1", WorkloadSpec.of(1, 3, 1).label());
    }

    @Test
    void podCertificatesAreOffByDefaultAndAskAtBeginRefreshAtForTheWorkloadSigner() {
        FleetSettings.PodCertificates pods = settings(Map.of()).podCertificates();
        assertEquals(0, pods.count());
        assertEquals(0, pods.misbehaving());
        assertEquals("csrflow.io/workload-serving", pods.signerName());
        assertEquals(PodCertificateKey.Type.ECDSAP256, pods.keyType());
        assertEquals(3600, pods.maxExpirationSeconds());
        assertNull(pods.refreshAfter());
        assertEquals("cluster.local", pods.trustDomain());
    }

    @Test
    void podCertificateOptionsComeFromTheCommandLineAndTheEnvironment() {
        FleetSettings.PodCertificates pods = settings(Map.of("CSRFLOW_FLEET_ADMIN_TOKEN", "t",
                "CSRFLOW_FLEET_POD_CERTIFICATE_KEY_TYPE", "rsa3072", "CSRFLOW_FLEET_TRUST_DOMAIN", "prod.example"),
                "--nodes", "4", "--pod-certificates", "7", "--misbehaving-pod-certificates", "4",
                "--pod-certificate-signer", "example.com/pods", "--pod-certificate-max-expiration", "2h",
                "--pod-certificate-refresh-after", "5s").podCertificates();
        assertEquals(7, pods.count());
        assertEquals(4, pods.misbehaving());
        assertEquals("example.com/pods", pods.signerName());
        assertEquals(PodCertificateKey.Type.RSA3072, pods.keyType());
        assertEquals(7200, pods.maxExpirationSeconds());
        assertEquals(Duration.ofSeconds(5), pods.refreshAfter());
        assertEquals("prod.example", pods.trustDomain());
        assertTrue(FleetArguments.usage().contains("--pod-certificate-refresh-after  TEST KNOB"), FleetArguments.usage());
        assertTrue(FleetArguments.environmentVariables().contains("CSRFLOW_FLEET_MISBEHAVING_POD_CERTIFICATES"));
    }

    @Test
    void badPodCertificateValuesAreNamed() {
        Map<String, String> admin = Map.of("CSRFLOW_FLEET_ADMIN_TOKEN", "t");
        assertEquals("--pod-certificates needs --admin-token: the pods, their Namespace and ServiceAccounts are made "
                + "with it", error(Map.of(), concat("--pod-certificates", "2")));
        assertEquals("--pod-certificates must not be negative, got -1", error(admin, concat("--pod-certificates", "-1")));
        assertEquals("--pod-certificates needs a whole number, got 'some'", error(admin, concat("--pod-certificates", "some")));
        assertEquals("--misbehaving-pod-certificates must be between 0 and --pod-certificates (2), got 3",
                error(admin, concat("--pod-certificates", "2", "--misbehaving-pod-certificates", "3")));
        assertEquals("--misbehaving-pod-certificates needs at least 2 nodes: an other-node pod is asked for by the next "
                + "node's kubelet", error(admin, concat("--nodes", "1", "--pod-certificates", "2",
                        "--misbehaving-pod-certificates", "1")));
        assertEquals("--pod-certificate-key-type must be one of RSA3072, RSA4096, ECDSAP256, ECDSAP384, ECDSAP521, "
                + "ED25519, got 'RSA2048'", error(admin, concat("--pod-certificate-key-type", "RSA2048")));
        assertEquals("--pod-certificate-signer must be a signer name DOMAIN/NAME, got 'workload-serving'",
                error(admin, concat("--pod-certificate-signer", "workload-serving")));
        assertEquals("--pod-certificate-max-expiration must be between 1h and 2184h (the API's 3600 to 7862400 "
                + "maxExpirationSeconds), got PT59M", error(admin, concat("--pod-certificate-max-expiration", "59m")));
        assertTrue(error(admin, concat("--pod-certificate-max-expiration", "2185h")).startsWith(
                "--pod-certificate-max-expiration must be between 1h and 2184h"));
        assertEquals("--pod-certificate-max-expiration needs a duration like 500ms, 90s, 10m or 2h, got '1 hour'",
                error(admin, concat("--pod-certificate-max-expiration", "1 hour")));
        assertEquals("--pod-certificate-refresh-after must be more than 0, got PT0S",
                error(admin, concat("--pod-certificate-refresh-after", "0")));
        assertEquals("--trust-domain must be a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_'), got "
                + "'Cluster.Local'", error(admin, concat("--trust-domain", "Cluster.Local")));
    }

    @Test
    void theLastPodsMisbehaveInTurnAndPodsAreSpreadOverTheNodes() {
        List<PodCertificateSpec> pods = java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> PodCertificateSpec.of(i, 7, 4, 3, "sim-node-", PodCertificateKey.Type.ECDSAP256)).toList();

        assertEquals(List.of("none", "none", "none", "other-node", "bad-proof", "key-type", "other-node"),
                pods.stream().map(p -> p.behaviour().label()).toList());
        assertEquals(List.of("sim-node-1", "sim-node-2", "sim-node-3", "sim-node-1", "sim-node-2", "sim-node-3",
                "sim-node-1"), pods.stream().map(PodCertificateSpec::node).toList());
        assertEquals("sim-node-2", pods.get(3).requestingNode());
        assertEquals("sim-node-2", pods.get(4).requestingNode());
        assertEquals(PodCertificateKey.Type.ED25519, pods.get(5).keyType());
        assertEquals(PodCertificateKey.Type.ECDSAP256, pods.get(4).keyType());
        assertEquals("spiffe://cluster.local/ns/sim-pods/sa/pod-sa-1", pods.get(3).spiffeId("cluster.local"));
        assertEquals("cert-pod-4", pods.get(3).pod());
    }
}
