package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.events.EventType;
import io.csrflow.testsupport.YamlDocuments;

/**
 * {@code docker-compose config} accepts the file, its services match the code, and it is not an open
 * door: ports on the loopback address only, no credential written down, each service with its own
 * credentials, CA keys and the admin kubeconfig out of the other services' reach.
 */
class ComposeFileTest {
    /** Who may mount the volumes with k3s's CA keys and its admin kubeconfig: k3s, and the init step. */
    static final List<String> ADMIN = List.of("k3s", "k3s-init");
    static final String K3S_DATA = "/var/lib/rancher/k3s";
    /** Literal credentials: bootstrap tokens, JWTs (ServiceAccount tokens), PEM private keys, passwords. */
    static final Map<String, Pattern> CREDENTIALS = Map.of(
            "a bootstrap token", Pattern.compile("\\b[a-z0-9]{6}\\.[a-z0-9]{16}\\b"),
            "a bootstrap token secret", Pattern.compile("token-secret\\s*[:=]\\s*[\"']?[a-z0-9]{16}"),
            "a JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
            "a private key", Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"),
            "a bearer token", Pattern.compile("(?i)\\btoken\\s*:\\s*[\"']?[A-Za-z0-9._-]{20,}"),
            "client key data", Pattern.compile("client-key-data\\s*:\\s*\\S{20,}"),
            "a password", Pattern.compile("(?i)password\\s*[:=]\\s*[\"']?[^\\s\"'$]{6,}"));

    static JsonNode config;

    @BeforeAll
    static void render() {
        config = Repo.compose();
    }

    @Test
    void runsKafkaK3sAndEveryService() {
        JsonNode services = config.path("services");
        for (String name : new String[] {"kafka", "kafka-topics", "k3s", "k3s-init", "csr-watcher",
            "approver-service", "signer-service", "rotation-scheduler", "fleet-simulator", "jaeger"}) {
            assertTrue(services.has(name), name);
        }
    }

    @Test
    void servicesListenWhereTheirConfigurationSaysAndReachKafka() throws Exception {
        for (String service : Repo.SERVICES.keySet()) {
            JsonNode environment = config.path("services").path(service).path("environment");
            assertEquals(Repo.properties(service).getProperty("quarkus.http.port"),
                    environment.path("QUARKUS_HTTP_PORT").asText(), service);
            assertEquals("kafka:9092", environment.path("KAFKA_BOOTSTRAP_SERVERS").asText(), service);
            assertTrue(config.path("services").path(service).path("build").path("dockerfile").asText()
                    .endsWith("Dockerfile.jvm"));
        }
        assertTrue(config.path("services").path("signer-service").path("environment")
                .path("CSRFLOW_SIGNER_CA_CERT_FILE").asText().endsWith("client-ca.crt"));
    }

    @Test
    void createsEveryContractTopic() {
        String script = config.path("services").path("kafka-topics").path("command").toString();
        EventType.ALL.forEach(type -> assertTrue(script.contains(type.defaultTopic()), type.defaultTopic()));
    }

    /** Nothing is reachable from other machines: every published port is bound to 127.0.0.1. */
    @Test
    void everyPublishedPortIsOnTheLoopbackAddressOnly() {
        assertEquals(List.of(), openPorts(config));
    }

    /** Published ports not bound to 127.0.0.1, as "service: port". */
    static List<String> openPorts(JsonNode compose) {
        List<String> open = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(service -> {
            for (JsonNode port : service.getValue().path("ports")) {
                // Short syntax "127.0.0.1:8081:8081/tcp" (docker-compose 1.x) or long syntax with host_ip.
                String[] parts = port.asText().split(":");
                String hostIp = port.isTextual() ? (parts.length == 3 ? parts[0] : "") : port.path("host_ip").asText("");
                if (!hostIp.equals("127.0.0.1")) {
                    open.add(service.getKey() + ": " + port);
                }
            }
        });
        return open;
    }

    /**
     * The volumes k3s keeps its data (CA keys) and its admin kubeconfig in: those it mounts at its data
     * directory and at the directory of K3S_KUBECONFIG_OUTPUT.
     */
    static List<String> adminVolumes(JsonNode compose) {
        JsonNode k3s = compose.path("services").path("k3s");
        String output = k3s.path("environment").path("K3S_KUBECONFIG_OUTPUT").asText(K3S_DATA + "/x");
        String outputDir = output.substring(0, output.lastIndexOf('/'));
        List<String> volumes = new ArrayList<>();
        for (JsonNode volume : k3s.path("volumes")) {
            String target = target(volume);
            if (target.equals(K3S_DATA) || target.equals(outputDir) || outputDir.startsWith(target + "/")) {
                volumes.add(source(volume));
            }
        }
        return volumes;
    }

    /** Services mounting k3s's CA keys or its admin kubeconfig that may not, as "service: volume". */
    static List<String> adminMounts(JsonNode compose) {
        List<String> admin = adminVolumes(compose);
        List<String> found = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                if (admin.contains(source(volume)) && !ADMIN.contains(service.getKey())) {
                    found.add(service.getKey() + ": " + source(volume));
                }
            }
        });
        return found;
    }

    /** No token, password or private key is written in docker-compose.yml or k8s/compose. */
    @Test
    void noCredentialIsWrittenDown() throws IOException {
        List<String> found = credentialsIn(files());
        assertEquals(List.of(), found);
    }

    /** The check finds what the files used to hold: the fleet's bootstrap token, in both places. */
    @Test
    void theCredentialCheckFindsAWrittenToken() {
        Map<String, String> old = Map.of(
                "docker-compose.yml", "      CSRFLOW_FLEET_BOOTSTRAP_TOKEN: csrflw.f1eetsimulat0r00\n",
                "k8s/compose/kubelet-bootstrap.yaml", "stringData:\n  token-id: csrflw\n  token-secret: f1eetsimulat0r00\n",
                "kubeconfig", "users:\n- name: x\n  user:\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6Ij.eyJhdWQiOlsiaHR0cHM6Ly9rd\n");
        List<String> found = credentialsIn(old);
        assertEquals(3, found.stream().map(f -> f.substring(0, f.indexOf(':'))).distinct().count(), found.toString());
    }

    static List<String> credentialsIn(Map<String, String> files) {
        List<String> found = new ArrayList<>();
        files.forEach((file, text) -> CREDENTIALS.forEach((what, pattern) -> {
            var matcher = pattern.matcher(text);
            while (matcher.find()) {
                found.add(file + ": " + what + ": " + matcher.group());
            }
        }));
        return found;
    }

    private static Map<String, String> files() throws IOException {
        Map<String, String> files = new TreeMap<>();
        files.put("docker-compose.yml", Files.readString(Repo.ROOT.resolve("docker-compose.yml")));
        try (Stream<Path> compose = Files.walk(Repo.ROOT.resolve("k8s/compose"))) {
            for (Path file : compose.filter(Files::isRegularFile).toList()) {
                files.put(Repo.ROOT.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }

    /**
     * k3s's data (its CA keys) and its admin kubeconfig are mounted by k3s and the init step only;
     * every service authenticates with its own kubeconfig, from a volume no other service mounts.
     */
    @Test
    void eachServiceUsesItsOwnCredentialsAndNoneTheAdminsOrTheCaKeys() {
        Map<String, List<String>> mountedBy = new TreeMap<>();
        config.path("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                mountedBy.computeIfAbsent(source(volume), v -> new ArrayList<>()).add(service.getKey());
            }
        });
        assertEquals(List.of("k3s-server", "k3s-admin"), adminVolumes(config));
        assertEquals(List.of(), adminMounts(config));
        for (String service : List.of("csr-watcher", "approver-service", "signer-service", "rotation-scheduler",
                "fleet-simulator")) {
            JsonNode definition = config.path("services").path(service);
            List<String> sources = new ArrayList<>();
            definition.path("volumes").forEach(v -> sources.add(source(v)));
            assertEquals(List.of(service + "-credentials"), sources, service + " mounts its own credentials only");
            assertEquals(Set.of("k3s-init", service), Set.copyOf(mountedBy.get(service + "-credentials")),
                    "only " + service + " and the init step that writes them");
            assertTrue(definition.path("volumes").get(0).toString().endsWith(":ro\""), "read-only: " + definition.path("volumes"));
            if (!service.equals("fleet-simulator")) {
                assertEquals("/credentials/kubeconfig", definition.path("environment").path("KUBECONFIG").asText(), service);
            }
        }
        String init = config.path("services").path("k3s-init").path("command").toString();
        assertTrue(init.contains("create token \\\"$$s\\\""), "a token per ServiceAccount: " + init);
        assertFalse(config.path("services").path("k3s").path("command").toString().contains("--write-kubeconfig-mode=644"),
                "the admin kubeconfig is not world-readable");
    }

    /** The fleet gets the API server's CA certificate and its bootstrap token, no CA key. */
    @Test
    void theFleetMountsNoCaKey() {
        JsonNode fleet = config.path("services").path("fleet-simulator");
        String mounts = fleet.path("volumes").toString();
        assertFalse(mounts.contains("k3s-server") || mounts.contains("signer-service-credentials"), mounts);
        // What k3s-init puts into the fleet's volume: the token and a certificate, no key.
        for (String line : config.path("services").path("k3s-init").path("command").get(0).asText().split("\n")) {
            if (line.contains("/credentials/fleet-simulator")) {
                assertFalse(line.contains(".key"), line);
            }
            if (line.contains(".key")) {
                assertTrue(line.contains("/credentials/signer-service"), "only the signer gets a CA key: " + line);
            }
        }
        assertTrue(fleet.path("environment").path("CSRFLOW_FLEET_CERTIFICATE_AUTHORITY").asText().endsWith(".crt"));
    }

    /**
     * The compose file as it was: ports on every address, k3s's data (CA keys) mounted by the signer
     * and the fleet, and the admin kubeconfig (made world-readable) shared by every service.
     */
    @Test
    void theChecksCatchTheOldComposeFile() {
        JsonNode old = YamlDocuments.parse("""
                services:
                  k3s:
                    environment: {K3S_KUBECONFIG_OUTPUT: /output/kubeconfig.yaml}
                    ports: ["6443:6443"]
                    volumes: ["k3s-server:/var/lib/rancher/k3s:rw", "kubeconfig:/output:rw"]
                  k3s-kubeconfig:
                    volumes: ["kubeconfig:/output:rw"]
                  csr-watcher:
                    ports: [{published: 8081, target: 8081}]
                    volumes: ["kubeconfig:/kube:ro"]
                  signer-service:
                    ports: ["127.0.0.1:8083:8083/tcp"]
                    volumes: ["kubeconfig:/kube:ro", "k3s-server:/k3s:ro"]
                  fleet-simulator:
                    volumes: ["k3s-server:/k3s:ro"]
                """).get(0);
        assertEquals(List.of("k3s: \"6443:6443\"", "csr-watcher: {\"published\":8081,\"target\":8081}"), openPorts(old));
        assertEquals(List.of("k3s-kubeconfig: kubeconfig", "csr-watcher: kubeconfig", "signer-service: kubeconfig",
                "signer-service: k3s-server", "fleet-simulator: k3s-server"), adminMounts(old));
    }

    /** A volume entry's source: short syntax "name:/path[:mode]" or long syntax. */
    static String source(JsonNode volume) {
        return volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
    }

    static String target(JsonNode volume) {
        return volume.isTextual() ? volume.asText().split(":")[1] : volume.path("target").asText();
    }
}
