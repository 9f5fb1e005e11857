package io.csrflow.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The configuration a deployment gives a service: the literal values of its container's environment
 * and the properties of the files QUARKUS_CONFIG_LOCATIONS names, read from the ConfigMaps mounted
 * there; what neither sets is the mapping's default.
 */
final class DeployedConfig {
    static final String LOCATIONS = "QUARKUS_CONFIG_LOCATIONS";

    final String service;
    final Map<String, String> environment = new LinkedHashMap<>();
    /** Properties by file: location, then name and value. */
    final Map<String, Map<String, String>> files = new LinkedHashMap<>();
    /** Locations that no mounted ConfigMap provides. */
    final List<String> unresolved = new ArrayList<>();

    private DeployedConfig(String service) {
        this.service = service;
    }

    /** The first container of {@code deployment}, its files looked up among {@code objects}. */
    static DeployedConfig of(JsonNode deployment, List<JsonNode> objects) {
        DeployedConfig config = new DeployedConfig(deployment.path("metadata").path("name").asText());
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        container.path("env").forEach(e -> {
            if (e.has("value")) {
                config.environment.put(e.path("name").asText(), e.path("value").asText());
            }
        });
        String namespace = deployment.path("metadata").path("namespace").asText();
        for (String location : config.locations()) {
            Optional<PodFiles.MountedFile> file = PodFiles.at(pod, container, location);
            Optional<JsonNode> data = file.filter(f -> f.kind().equals("configMap"))
                    .flatMap(f -> configMap(objects, namespace, f.source()))
                    .map(c -> c.path("data").path(file.get().key().equals("*")
                            ? location.substring(location.lastIndexOf('/') + 1) : file.get().key()))
                    .filter(JsonNode::isTextual);
            if (data.isEmpty()) {
                config.unresolved.add(location);
            } else {
                config.files.put(location, properties(data.get().asText()));
            }
        }
        return config;
    }

    /** A compose service: its environment only. */
    static DeployedConfig ofCompose(String service, JsonNode composeService) {
        DeployedConfig config = new DeployedConfig(service);
        composeService.path("environment").fields()
                .forEachRemaining(e -> config.environment.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    List<String> locations() {
        String value = environment.get(LOCATIONS);
        return value == null ? List.of() : List.of(value.split(","));
    }

    /** Every property set in a file. */
    Map<String, String> fileProperties() {
        Map<String, String> all = new LinkedHashMap<>();
        files.values().forEach(all::putAll);
        return all;
    }

    /** The value of {@code property} as the service sees it: environment, then files, then default. */
    Optional<String> value(String property) {
        String variable = environment.get(ConfigSurface.environmentVariable(property));
        if (variable != null) {
            return Optional.of(variable);
        }
        String fromFile = fileProperties().get(property);
        if (fromFile != null) {
            return Optional.of(fromFile);
        }
        return ConfigSurface.of(service).defaultOf(property);
    }

    private static Optional<JsonNode> configMap(List<JsonNode> objects, String namespace, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
                && o.path("metadata").path("name").asText().equals(name)
                && o.path("metadata").path("namespace").asText().equals(namespace)).findFirst();
    }

    private static Map<String, String> properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(n -> values.put(n, properties.getProperty(n)));
        return values;
    }
}
