package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.fleet.FleetArguments;
import io.csrflow.signer.SignerConfig;
import io.csrflow.testsupport.YamlDocuments;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Every setting the deployment files make is one the code reads: csrflow's own environment variables
 * and the properties of the files named by QUARKUS_CONFIG_LOCATIONS are checked against the
 * services' configuration mappings and the simulator's options; the rest must be one of the framework
 * settings csrflow relies on.
 */
class EnvironmentMatchesCodeTest {
    /** Quarkus and Kubernetes client settings the deployment files may set; and any Kafka client setting. */
    private static final Set<String> FRAMEWORK = Set.of("QUARKUS_HTTP_PORT", "KUBECONFIG",
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "QUARKUS_OTEL_SDK_DISABLED", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT",
            DeployedConfig.LOCATIONS, "POD_IP");
    private static final Pattern KAFKA_CLIENT = Pattern.compile("KAFKA_[A-Z0-9_]+");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    static boolean framework(String variable) {
        return FRAMEWORK.contains(variable) || KAFKA_CLIENT.matcher(variable).matches();
    }

    @Test
    void theConfigurationSurfaceIsDerivedFromTheMappings() {
        ConfigSurface signer = ConfigSurface.of("signer-service");
        assertTrue(signer.reads("CSRFLOW_SIGNER_CA_CERT_FILE"), signer.patterns().toString());
        assertFalse(signer.reads("CSRFLOW_SIGNER_CA_CERT_FIEL"), "a misspelt variable must not pass");
        // A signer name has dashes: no environment variable can set its CA (see the next test).
        assertFalse(signer.reads("CSRFLOW_SIGNER_SIGNERS_KUBELET_SERVING_CERT_FILE"), signer.patterns().toString());
        assertTrue(signer.readsProperty("csrflow.signer.signers.kubelet-serving.cert-file"));
        assertTrue(signer.readsProperty("csrflow.signer.signers.\"kubelet-serving\".pkcs11.key-label"));
        assertTrue(signer.readsProperty("csrflow.signer.signers.legacy-unknown.allowed-usages"));
        assertFalse(signer.readsProperty("csrflow.signer.signers.kubelet-serving.cert-fiel"));
        assertFalse(signer.readsProperty("csrflow.signer.signers.kubelet.serving.cert-file"));
        assertEquals("csrflow", signer.defaultOf("csrflow.signer.trust-bundle.namespace").orElseThrow());
        assertTrue(ConfigSurface.of("rotation-scheduler").reads("CSRFLOW_SCHEDULER_STREAMS_NUM_STREAM_THREADS"));
        assertTrue(ConfigSurface.of("approver-service").readsProperty("csrflow.approver.apiserver-client.rules[0].common-name"));
    }

    /**
     * Why the signer's per-signer CAs are a properties file: SmallRye Config (the version Quarkus
     * uses) ignores an environment variable whose map key has a dash, leaving the signer with no CA,
     * while the same key as a property is read.
     */
    @Test
    void smallRyeConfigReadsDashedSignerNamesFromPropertiesOnly() {
        SignerConfig fromEnvironment = signerConfig(Map.of(
                "CSRFLOW_SIGNER_SIGNERS_KUBELET_SERVING_CERT_FILE", "/ca/tls.crt",
                "CSRFLOW_SIGNER_SIGNERS_KUBELET_SERVING_KEY_FILE", "/ca/tls.key"), Map.of());
        assertEquals(Set.of(), fromEnvironment.signer().signers().keySet());
        SignerConfig fromFile = signerConfig(Map.of(), Map.of(
                "csrflow.signer.signers.kubelet-serving.cert-file", "/ca/tls.crt",
                "csrflow.signer.signers.kubelet-serving.key-file", "/ca/tls.key"));
        assertEquals(Set.of("kubelet-serving"), fromFile.signer().signers().keySet());
        assertEquals("/ca/tls.key", fromFile.signer().signers().get("kubelet-serving").keyFile().orElseThrow().toString());
        SignerConfig simpleKey = signerConfig(Map.of("CSRFLOW_SIGNER_SIGNERS_EXAMPLE_CERT_FILE", "/ca/tls.crt"), Map.of());
        assertEquals(Set.of("example"), simpleKey.signer().signers().keySet(), "keys without a dash are read");
        SignerConfig custom = signerConfig(Map.of(), Map.of(
                "csrflow.signer.signers.\"csrflow.io/workload-serving\".cert-file", "/ca/tls.crt",
                "csrflow.signer.signers.\"csrflow.io/workload-serving\".profile.usages", "server"));
        assertEquals(Set.of("csrflow.io/workload-serving"), custom.signer().signers().keySet(),
                "a signer of one's own is its full name in quotes");
        assertEquals(List.of("server"), custom.signer().signers().get("csrflow.io/workload-serving").profile()
                .orElseThrow().usages());
        assertTrue(fromFile.signer().signers().get("kubelet-serving").profile().isEmpty());
    }

    private static SignerConfig signerConfig(Map<String, String> environment, Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(environment, 300), new PropertiesConfigSource(properties, "file", 250))
                // Quarkus' duration format, for the mapping's defaults (10s, 5m, 24h)
                // (an absent optional value is converted from "", which Quarkus' converter reads as none)
                .withConverter(Duration.class, 200, s -> s.isBlank() ? null : Duration.parse("PT" + s.toUpperCase(Locale.ROOT)))
                .withMapping(SignerConfig.class).withValidateUnknown(false).build();
        return config.getConfigMapping(SignerConfig.class);
    }

    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void composeSetsOnlyWhatTheCodeReads(ComposeFile file) {
        JsonNode services = file.services();
        List<String> unknown = new ArrayList<>();
        for (String service : ConfigSurface.MAPPINGS.keySet()) {
            ConfigSurface surface = ConfigSurface.of(service);
            services.path(service).path("environment").fieldNames().forEachRemaining(name -> {
                if (!framework(name) && !surface.reads(name)) {
                    unknown.add(service + ": " + name);
                }
            });
        }
        services.path("fleet-simulator").path("environment").fieldNames().forEachRemaining(name -> {
            if (!FleetArguments.environmentVariables().contains(name)) {
                unknown.add("fleet-simulator: " + name);
            }
        });
        assertEquals(List.of(), unknown);
        assertTrue(services.path("fleet-simulator").path("environment").has("CSRFLOW_FLEET_SERVER"));
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void deploymentsSetOnlyWhatTheCodeReads(Rendering rendering) {
        assertEquals(List.of(), unknownSettings(rendering.objects()), rendering.toString());
    }

    static List<String> unknownSettings(List<JsonNode> objects) {
        List<String> unknown = new ArrayList<>();
        for (JsonNode object : objects) {
            if (!object.path("kind").asText().equals("Deployment")) {
                continue;
            }
            String service = object.path("metadata").path("name").asText();
            ConfigSurface surface = ConfigSurface.of(service);
            for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                for (JsonNode env : container.path("env")) {
                    String name = env.path("name").asText();
                    if (!framework(name) && !surface.reads(name)) {
                        unknown.add(service + ": " + name);
                    }
                }
            }
            DeployedConfig config = DeployedConfig.of(object, objects);
            config.fileProperties().keySet().forEach(name -> {
                if (!surface.readsProperty(name)) {
                    unknown.add(service + ": " + name + " (in " + config.files.keySet() + ")");
                }
            });
            config.unresolved.forEach(l -> unknown.add(service + ": " + DeployedConfig.LOCATIONS + " " + l + " is not mounted"));
        }
        return unknown;
    }

    /** The check reads the files too: a misspelt key in the signer's properties is found. */
    @Test
    void theCheckReadsTheMountedPropertiesFiles() {
        List<JsonNode> bad = YamlDocuments.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: signer-service, namespace: csrflow}
                spec:
                  template:
                    spec:
                      containers:
                        - name: signer-service
                          env: [{name: QUARKUS_CONFIG_LOCATIONS, value: /etc/csrflow/signer/signer.properties}]
                          volumeMounts: [{name: config, mountPath: /etc/csrflow/signer}]
                      volumes: [{name: config, configMap: {name: signer-config}}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: signer-config, namespace: csrflow}
                data:
                  signer.properties: |
                    csrflow.signer.signers.kubelet-serving.cert-file=/ca/tls.crt
                    csrflow.signer.signers.kubelet-serving.key-fiel=/ca/tls.key
                """);
        DeployedConfig config = DeployedConfig.of(bad.get(0), bad);
        ConfigSurface surface = ConfigSurface.of("signer-service");
        assertEquals(List.of("csrflow.signer.signers.kubelet-serving.key-fiel"),
                config.fileProperties().keySet().stream().filter(n -> !surface.readsProperty(n)).toList());
    }

    /**
     * The kubelet expands {@code $(NAME)} in an environment value only for a variable defined earlier
     * in the same container; otherwise the text stays as it is.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyVariableReferenceIsDefinedBeforeIt(Rendering rendering) {
        assertEquals(List.of(), undefinedReferences(rendering.objects()), rendering.toString());
    }

    static List<String> undefinedReferences(List<JsonNode> objects) {
        List<String> problems = new ArrayList<>();
        for (JsonNode object : objects) {
            for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                Map<String, Boolean> defined = new LinkedHashMap<>();
                for (JsonNode env : container.path("env")) {
                    Matcher reference = REFERENCE.matcher(env.path("value").asText());
                    while (reference.find()) {
                        if (!defined.containsKey(reference.group(1))) {
                            problems.add(object.path("metadata").path("name").asText() + ": " + env.path("name").asText()
                                    + " refers to " + reference.group(1) + " before it is defined");
                        }
                    }
                    defined.put(env.path("name").asText(), true);
                }
            }
        }
        return problems;
    }

    /**
     * The fleet bootstraps with the token the credentials step makes for the run, not one written in
     * the files: kubeadm's token format, known to the API as a bootstrap token (k3s: a bootstrap
     * Secret with its fields; the emulator: a user system:bootstrap:ID in system:bootstrappers), and
     * the file the fleet reads it from. Its permissions are kubeadm's bindings of k8s/compose.
     */
    @ParameterizedTest
    @EnumSource(ComposeFile.class)
    void theFleetBootstrapsWithTheTokenTheCredentialsStepMakesForTheRun(ComposeFile file) throws Exception {
        JsonNode services = file.services();
        JsonNode fleet = services.path("fleet-simulator");
        assertFalse(fleet.path("environment").has("CSRFLOW_FLEET_BOOTSTRAP_TOKEN"), "no token in the compose file");
        String entrypoint = fleet.path("entrypoint").toString();
        assertTrue(entrypoint.contains("CSRFLOW_FLEET_BOOTSTRAP_TOKEN=") && entrypoint.contains("/credentials/bootstrap-token"),
                entrypoint);
        // The image's own entrypoint with a token: its JVM options too.
        assertTrue(entrypoint.contains("exec java $$JAVA_OPTS -Xmx256m $$JAVA_OPTS_APPEND -cp "), entrypoint);
        assertTrue(fleet.path("volumes").toString().contains("fleet-simulator-credentials:/credentials:ro"),
                fleet.path("volumes").toString());
        JsonNode step = services.path(file.credentialsStep);
        String init = step.path("command").toString();
        List<String> known = switch (file) {
            case DOCKER -> List.of("--type=bootstrap.kubernetes.io/token", "usage-bootstrap-authentication=true",
                    "auth-extra-groups=system:bootstrappers:");
            case LOCAL -> List.of("\\\"system:bootstrap:$$id\\\" \\\"system:bootstrappers, system:bootstrappers:",
                    "/k8s/compose/kubelet-bootstrap.yaml");
        };
        List<String> steps = new ArrayList<>(List.of("random 6", "random 16", "tr -dc a-z0-9",
                "> /credentials/fleet-simulator/bootstrap-token", "fleet-simulator-credentials:/credentials/fleet-simulator"));
        steps.addAll(known);
        for (String expected : steps) {
            assertTrue((init + step.path("volumes")).contains(expected), expected + " in " + init);
        }
        Map<String, String> expected = Map.of("system:node-bootstrapper", "system:bootstrappers",
                "system:certificates.k8s.io:certificatesigningrequests:nodeclient", "system:bootstrappers",
                "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "system:nodes");
        List<JsonNode> bindings = YamlDocuments.parse(Files.readString(Repo.ROOT.resolve("k8s/compose/kubelet-bootstrap.yaml")));
        assertEquals(3, bindings.size());
        for (JsonNode binding : bindings) {
            assertEquals(expected.get(binding.path("roleRef").path("name").asText()),
                    binding.path("subjects").get(0).path("name").asText(), binding.toString());
        }
    }
}
