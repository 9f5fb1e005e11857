package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.events.EventType;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.YamlDocuments;

/** {@code docker-compose config} accepts the file, and its services match the code. */
class ComposeFileTest {
    static JsonNode config;

    @BeforeAll
    static void render() throws Exception {
        config = YamlDocuments.parse(Cli.run(Repo.ROOT, null, "docker-compose", "-f", "docker-compose.yml", "config"))
                .get(0);
    }

    @Test
    void runsKafkaK3sAndEveryService() {
        JsonNode services = config.path("services");
        for (String name : new String[] {"kafka", "kafka-topics", "k3s", "k3s-kubeconfig", "csr-watcher",
            "approver-service", "signer-service", "rotation-scheduler", "k3s-bootstrap", "fleet-simulator", "jaeger"}) {
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
}
