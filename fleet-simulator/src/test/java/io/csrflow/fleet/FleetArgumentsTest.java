package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
