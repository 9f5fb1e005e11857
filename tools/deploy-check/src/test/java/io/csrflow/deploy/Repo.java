package io.csrflow.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The repository's files, as the deployment checks read them. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    static final Map<String, String> SERVICES = Map.of("csr-watcher", "csr-watcher",
            "approver-service", "approver-service", "signer-service", "signer-service",
            "rotation-scheduler", "rotation-scheduler");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Repo() {
    }

    static List<JsonNode> yamlDocuments(String text) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    documents.add(node);
                }
            }
        }
        return documents;
    }

    /** A service's application.properties, default profile. */
    static Properties properties(String module) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(ROOT.resolve(module)
                .resolve("src/main/resources/application.properties"))));
        return properties;
    }
}
