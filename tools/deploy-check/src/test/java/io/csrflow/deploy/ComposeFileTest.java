package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.events.EventType;
import io.csrflow.testsupport.YamlDocuments;

/**
 * {@code docker-compose config} accepts each compose file ({@link ComposeFile}), its services match the
 * code, and it is not an open door: ports on the loopback address only, no credential written down,
 * each service with its own credentials, CA keys and the admin kubeconfig out of the other services'
 * reach. What only one file has (k3s, builds; the local images) is checked on that one.
 */
class ComposeFileTest {
    /** Who may mount the volumes with k3s's CA keys and its admin kubeconfig: k3s, and the init step. */
    static final List<String> ADMIN = List.of("k3s", "k3s-init");
    static final List<String> SERVICES_AND_FLEET = List.of("csr-watcher", "approver-service", "signer-service",
            "rotation-scheduler", "fleet-simulator");
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

    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void servicesListenWhereTheirConfigurationSaysAndReachKafka(ComposeFile file) throws Exception {
        for (String service : Repo.SERVICES.keySet()) {
            JsonNode environment = file.services().path(service).path("environment");
            assertEquals(Repo.properties(service).getProperty("quarkus.http.port"),
                    environment.path("QUARKUS_HTTP_PORT").asText(), service);
            assertEquals("kafka:9092", environment.path("KAFKA_BOOTSTRAP_SERVERS").asText(), service);
        }
    }

    /** With Docker, compose builds the services' images and the signer signs with k3s's client CA. */
    @Test
    void theDockerFileBuildsTheServicesAndTheSignerUsesK3sClientCa() {
        for (String service : Repo.SERVICES.keySet()) {
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
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void everyPublishedPortIsOnTheLoopbackAddressOnly(ComposeFile file) {
        assertEquals(List.of(), openPorts(file.config()));
    }

    /**
     * A {@code service_healthy} condition waits for a healthcheck the service has (under podman 4.3
     * without systemd, tools/images/compose-check runs them); a {@code service_completed_successfully}
     * one for a step that ends.
     */
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void everyDependencyConditionCanBeMet(ComposeFile file) {
        List<String> unmet = new ArrayList<>();
        file.services().fields().forEachRemaining(service -> service.getValue().path("depends_on").fields()
                .forEachRemaining(dependency -> {
                    JsonNode target = file.services().path(dependency.getKey());
                    String condition = dependency.getValue().path("condition").asText();
                    if (target.isMissingNode()
                            // `disable: true` renders as test: [NONE]
                            || condition.equals("service_healthy") && List.of("", "NONE").contains(
                                    target.path("healthcheck").path("test").path(0).asText())
                            || condition.equals("service_completed_successfully") && !target.path("ports").isEmpty()) {
                        unmet.add(service.getKey() + " -> " + dependency.getKey() + " (" + condition + ")");
                    }
                }));
        assertEquals(List.of(), unmet);
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
        return adminMounts(compose, adminVolumes(compose), ADMIN);
    }

    /** Services mounting one of the admin volumes that are not among {@code allowed}, as "service: volume". */
    static List<String> adminMounts(JsonNode compose, List<String> admin, List<String> allowed) {
        List<String> found = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                if (admin.contains(source(volume)) && !allowed.contains(service.getKey())) {
                    found.add(service.getKey() + ": " + source(volume));
                }
            }
        });
        return found;
    }

    /** No token, password or private key is written in the compose files or k8s/compose. */
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
        for (ComposeFile file : ComposeFile.values()) {
            files.put(file.file, Files.readString(Repo.ROOT.resolve(file.file)));
        }
        try (Stream<Path> compose = Files.walk(Repo.ROOT.resolve("k8s/compose"))) {
            for (Path file : compose.filter(Files::isRegularFile).toList()) {
                files.put(Repo.ROOT.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }

    /**
     * The API server's keys and callers' credentials and the admin kubeconfig are mounted by the API
     * server and the set-up steps only; every service authenticates with its own kubeconfig, from a
     * volume no other service mounts, and every volume a service mounts (its CA keys, for the signer)
     * is its alone. Besides volumes, a service mounts only configuration from k8s/, read-only.
     */
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void eachServiceUsesItsOwnCredentialsAndNoneTheAdminsOrTheCaKeys(ComposeFile file) {
        JsonNode compose = file.config();
        Map<String, List<String>> mountedBy = new TreeMap<>();
        compose.path("services").fields().forEachRemaining(service -> {
            for (JsonNode volume : service.getValue().path("volumes")) {
                mountedBy.computeIfAbsent(source(volume), v -> new ArrayList<>()).add(service.getKey());
            }
        });
        List<String> allowed = new ArrayList<>(List.of(file.apiServer));
        compose.path("services").fieldNames().forEachRemaining(s -> {
            if (ComposeFile.isSetupStep(s)) {
                allowed.add(s);
            }
        });
        assertEquals(List.of(), adminMounts(compose, file.adminVolumes, allowed));
        compose.path("volumes").fieldNames().forEachRemaining(volume -> assertTrue(
                mountedBy.getOrDefault(volume, List.of()).stream().filter(s -> !ComposeFile.isSetupStep(s)).count() <= 1,
                volume + " is shared by " + mountedBy.get(volume)));
        for (String service : SERVICES_AND_FLEET) {
            JsonNode definition = compose.path("services").path(service);
            List<String> named = new ArrayList<>();
            for (JsonNode volume : definition.path("volumes")) {
                assertTrue(volume.toString().endsWith(":ro\""), "read-only: " + volume);
                if (source(volume).startsWith("/")) {
                    assertTrue(source(volume).startsWith(Repo.ROOT.resolve("k8s") + "/"), service + " mounts " + volume);
                } else {
                    named.add(source(volume));
                }
            }
            assertEquals(service + "-credentials", named.get(0), service + " mounts its own credentials first");
            assertTrue(named.stream().allMatch(v -> v.startsWith(service + "-")), service + " mounts " + named);
            assertEquals(Set.of(file.credentialsStep, service), Set.copyOf(mountedBy.get(service + "-credentials")),
                    "only " + service + " and the step that writes them");
            if (!service.equals("fleet-simulator")) {
                assertEquals("/credentials/kubeconfig", definition.path("environment").path("KUBECONFIG").asText(), service);
            }
        }
    }

    /** k3s keeps its CA keys and admin kubeconfig in its two volumes; k3s-init gives each service a token of its own. */
    @Test
    void k3sKeepsItsKeysInItsVolumesAndTheInitStepMakesATokenPerServiceAccount() {
        assertEquals(ComposeFile.DOCKER.adminVolumes, adminVolumes(config));
        String init = config.path("services").path("k3s-init").path("command").toString();
        assertTrue(init.contains("create token \\\"$$s\\\""), "a token per ServiceAccount: " + init);
        assertFalse(config.path("services").path("k3s").path("command").toString().contains("--write-kubeconfig-mode=644"),
                "the admin kubeconfig is not world-readable");
    }

    /** The fleet gets the API server's CA certificate and its bootstrap token, no CA key. */
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void theFleetMountsNoCaKey(ComposeFile file) {
        JsonNode fleet = file.services().path("fleet-simulator");
        List<String> sources = new ArrayList<>();
        fleet.path("volumes").forEach(v -> sources.add(source(v)));
        assertEquals(List.of("fleet-simulator-credentials"), sources);
        // What the credentials step puts into the fleet's volume: the token and a certificate, no key.
        for (String line : file.services().path(file.credentialsStep).path("command").get(0).asText().split("\n")) {
            if (line.contains("/credentials/fleet-simulator")) {
                assertFalse(line.contains(".key"), line);
            }
            if (file == ComposeFile.DOCKER && line.contains(".key")) {
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

    /**
     * compose.local.yml runs what tools/images/run builds (localhost/csrflow/..., the tag of k8s/'s
     * images) instead of building or pulling: the emulator instead of k3s, the project's broker
     * instead of apache/kafka, and no Jaeger.
     */
    @Test
    void theLocalFileRunsTheImagesToolsImagesRunBuilds() {
        JsonNode services = ComposeFile.LOCAL.services();
        List<JsonNode> k8s = Repo.render("k8s/base");
        String tag = null;
        for (String service : Repo.SERVICES.keySet()) {
            String image = KubernetesManifestsTest.named(k8s, "Deployment", service).path("spec").path("template")
                    .path("spec").path("containers").get(0).path("image").asText();
            assertEquals("localhost/" + image, services.path(service).path("image").asText(), service);
            tag = image.substring(image.lastIndexOf(':') + 1);
        }
        for (String other : List.of("fleet-simulator", "kube-emulator", "kafka", "kafka-topics", "credentials-init",
                "api-init")) {
            String image = services.path(other).path("image").asText();
            assertTrue(image.startsWith("localhost/csrflow/") && image.endsWith(":" + tag), other + ": " + image);
        }
        List<String> built = new ArrayList<>();
        services.fields().forEachRemaining(service -> {
            if (service.getValue().has("build")) {
                built.add(service.getKey());
            }
        });
        assertEquals(List.of(), built, "nothing is built or pulled by compose here");
        assertFalse(services.has("k3s") || services.has("jaeger"), services.toString());
    }

    /**
     * The services run with docker-compose.yml's environment, except where the local stack differs:
     * no Jaeger (tracing stays off, the services' default), one CA per signer from k8s/'s signer
     * configuration instead of k3s's client CA, the emulator's address, a smaller fleet.
     */
    @Test
    void theLocalFileGivesTheServicesTheEnvironmentOfTheDockerFile() {
        Map<String, Set<String>> differences = Map.of(
                "signer-service", Set.of("CSRFLOW_SIGNER_CA_CERT_FILE", "CSRFLOW_SIGNER_CA_KEY_FILE", DeployedConfig.LOCATIONS),
                "fleet-simulator", Set.of("CSRFLOW_FLEET_SERVER", "CSRFLOW_FLEET_NODES"));
        Set<String> tracing = Set.of("QUARKUS_OTEL_SDK_DISABLED", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT");
        List<String> different = new ArrayList<>();
        for (String service : SERVICES_AND_FLEET) {
            Map<String, String> docker = environment(ComposeFile.DOCKER, service);
            Map<String, String> local = environment(ComposeFile.LOCAL, service);
            Set<String> names = new TreeSet<>(docker.keySet());
            names.addAll(local.keySet());
            for (String name : names) {
                boolean allowed = differences.getOrDefault(service, Set.of()).contains(name)
                        || tracing.contains(name) && !local.containsKey(name);
                if (!allowed && !Objects.equals(docker.get(name), local.get(name))) {
                    different.add(service + ": " + name + " " + docker.get(name) + " / " + local.get(name));
                }
            }
        }
        assertEquals(List.of(), different);
    }

    private static Map<String, String> environment(ComposeFile file, String service) {
        Map<String, String> environment = new TreeMap<>();
        file.services().path(service).path("environment").fields()
                .forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        return environment;
    }

    /**
     * The local signer reads k8s/'s own signer configuration, mounted from the repository, and finds
     * every CA file it names in its CA volume; credentials-init makes a token per ServiceAccount.
     */
    @Test
    void theLocalSignerReadsK8sSignerConfigurationAndEachServiceGetsItsOwnToken() throws IOException {
        JsonNode signer = ComposeFile.LOCAL.services().path("signer-service");
        String location = signer.path("environment").path(DeployedConfig.LOCATIONS).asText();
        String configDir = location.substring(0, location.lastIndexOf('/'));
        String mounts = signer.path("volumes").toString();
        assertTrue(mounts.contains("\"" + Repo.ROOT.resolve("k8s/base/signer") + ":" + configDir + ":ro\""), mounts);
        assertTrue(mounts.contains("\"signer-service-ca:/etc/csrflow/ca:ro\""), mounts);
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(Repo.ROOT.resolve("k8s/base/signer")
                .resolve(location.substring(location.lastIndexOf('/') + 1)))));
        List<String> files = properties.stringPropertyNames().stream().filter(k -> k.endsWith("-file")).toList();
        assertFalse(files.isEmpty());
        files.forEach(key -> assertTrue(properties.getProperty(key).startsWith("/etc/csrflow/ca/"), key));
        String init = ComposeFile.LOCAL.services().path("credentials-init").path("command").toString();
        assertTrue(init.contains("token=$$(random 32)") && init.contains("kubeconfig \\\"/credentials/$$s/kubeconfig\\\" \\\"$$s\\\" \\\"$$token\\\""),
                "a token per ServiceAccount: " + init);
    }

    /** A volume entry's source: short syntax "name:/path[:mode]" or long syntax. */
    static String source(JsonNode volume) {
        return volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
    }

    static String target(JsonNode volume) {
        return volume.isTextual() ? volume.asText().split(":")[1] : volume.path("target").asText();
    }
}
