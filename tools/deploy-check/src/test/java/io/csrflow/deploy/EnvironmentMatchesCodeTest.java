package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.fleet.FleetArguments;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.YamlDocuments;

/**
 * Every environment variable the deployment files set is one the code reads: csrflow's own
 * settings are checked against the services' configuration mappings and the simulator's options;
 * the rest must be one of the framework settings csrflow relies on.
 */
class EnvironmentMatchesCodeTest {
    /** Quarkus, Kafka client and Kubernetes client settings the deployment files may set. */
    private static final Set<String> FRAMEWORK = Set.of("QUARKUS_HTTP_PORT", "KAFKA_BOOTSTRAP_SERVERS", "KUBECONFIG",
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "QUARKUS_OTEL_SDK_DISABLED", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT",
            "POD_IP");

    @Test
    void theConfigurationSurfaceIsDerivedFromTheMappings() {
        ConfigSurface signer = ConfigSurface.of("signer-service");
        assertTrue(signer.reads("CSRFLOW_SIGNER_CA_CERT_FILE"), signer.patterns().toString());
        assertTrue(signer.reads("CSRFLOW_SIGNER_SIGNERS_KUBELET_SERVING_CERT_FILE"), signer.patterns().toString());
        assertTrue(!signer.reads("CSRFLOW_SIGNER_CA_CERT_FIEL"), "a misspelt variable must not pass");
        assertTrue(ConfigSurface.of("rotation-scheduler").reads("CSRFLOW_SCHEDULER_STREAMS_NUM_STREAM_THREADS"));
    }

    @Test
    void composeSetsOnlyWhatTheCodeReads() throws Exception {
        JsonNode services = YamlDocuments.parse(Cli.run(Repo.ROOT, null, "docker-compose", "-f", "docker-compose.yml",
                "config")).get(0).path("services");
        List<String> unknown = new ArrayList<>();
        for (String service : ConfigSurface.MAPPINGS.keySet()) {
            ConfigSurface surface = ConfigSurface.of(service);
            services.path(service).path("environment").fieldNames().forEachRemaining(name -> {
                if (!FRAMEWORK.contains(name) && !surface.reads(name)) {
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

    @Test
    void deploymentsSetOnlyWhatTheCodeReads() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (JsonNode object : YamlDocuments.kustomize(Repo.ROOT, "k8s/base")) {
            if (!object.path("kind").asText().equals("Deployment")) {
                continue;
            }
            String service = object.path("metadata").path("name").asText();
            ConfigSurface surface = ConfigSurface.of(service);
            for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                for (JsonNode env : container.path("env")) {
                    String name = env.path("name").asText();
                    if (!FRAMEWORK.contains(name) && !surface.reads(name)) {
                        unknown.add(service + ": " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), unknown);
    }

    @Test
    void theFleetsBootstrapTokenIsTheOneTheBootstrapManifestCreates() throws Exception {
        JsonNode compose = YamlDocuments.parse(Cli.run(Repo.ROOT, null, "docker-compose", "-f", "docker-compose.yml",
                "config")).get(0);
        JsonNode secret = YamlDocuments.parse(java.nio.file.Files.readString(
                Repo.ROOT.resolve("k8s/compose/kubelet-bootstrap.yaml"))).get(0);
        String token = secret.path("stringData").path("token-id").asText() + "."
                + secret.path("stringData").path("token-secret").asText();
        assertEquals(token, compose.path("services").path("fleet-simulator").path("environment")
                .path("CSRFLOW_FLEET_BOOTSTRAP_TOKEN").asText());
        assertTrue(token.matches("[a-z0-9]{6}\\.[a-z0-9]{16}"), "a bootstrap token's format: " + token);
        Map<String, String> expected = Map.of("system:node-bootstrapper", "system:bootstrappers",
                "system:certificates.k8s.io:certificatesigningrequests:nodeclient", "system:bootstrappers",
                "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "system:nodes");
        List<JsonNode> bindings = YamlDocuments.parse(java.nio.file.Files.readString(
                Repo.ROOT.resolve("k8s/compose/kubelet-bootstrap.yaml"))).subList(1, 4);
        for (JsonNode binding : bindings) {
            assertEquals(expected.get(binding.path("roleRef").path("name").asText()),
                    binding.path("subjects").get(0).path("name").asText(), binding.toString());
        }
    }
}
