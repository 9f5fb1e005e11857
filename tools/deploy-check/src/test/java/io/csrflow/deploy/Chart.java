package io.csrflow.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.csrflow.testsupport.YamlDocuments;

/**
 * charts/csrflow through Helm itself (helm-java: Helm 3.16 as a native library), and what makes its
 * objects comparable with the overlays' ({@link #comparable}).
 */
final class Chart {
    static final String PATH = "charts/csrflow";
    static final Path DIR = Repo.ROOT.resolve(PATH);
    /** The release name of every rendering; it shows only in Helm's own labels. */
    static final String RELEASE = "csrflow";
    /** The labels Helm charts put on their objects, which k8s/ has not. */
    static final List<String> HELM_LABELS = List.of("helm.sh/chart", "app.kubernetes.io/managed-by",
            "app.kubernetes.io/instance");
    /** The signer's ConfigMap, named after its content by kustomize and by the chart alike. */
    static final Pattern SIGNER_CONFIG = Pattern.compile("csrflow-signer-config-[a-z0-9]{10}");
    static final String SIGNER_CONFIG_NAME = "csrflow-signer-config-<hash>";

    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Chart() {
    }

    /** {@code helm template} with a preset (null: the chart's values alone), rendered once per test run. */
    static List<JsonNode> template(String preset) {
        return RENDERED.computeIfAbsent(String.valueOf(preset), p -> template(preset, Map.of()));
    }

    /** {@code helm template} with a preset and {@code --set key=value} for each entry. */
    static List<JsonNode> template(String preset, Map<String, String> set) {
        TemplateCommand template = new Helm(DIR).template().withName(RELEASE);
        if (preset != null) {
            template = template.withValuesFile(DIR.resolve(preset));
        }
        for (Map.Entry<String, String> entry : set.entrySet()) {
            template = template.set(entry.getKey(), entry.getValue());
        }
        return YamlDocuments.parse(template.call());
    }

    /**
     * {@code helm lint --strict} with a preset. helm-java's lint takes no values file, so the chart is
     * linted as a copy in {@code work} whose values.yaml is the chart's merged with the preset as Helm
     * merges them ({@link #merge}).
     */
    static LintResult lint(String preset, Path work) {
        if (preset == null) {
            return new Helm(DIR).lint().strict().call();
        }
        Path copy = work.resolve("csrflow");
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(DIR.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
            JsonNode values = merge(YAML.readTree(DIR.resolve("values.yaml").toFile()),
                    YAML.readTree(DIR.resolve(preset).toFile()));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    /**
     * {@code overrides} over {@code defaults} as Helm coalesces values: maps merge key by key, anything
     * else is replaced, and a null removes the key.
     */
    static JsonNode merge(JsonNode defaults, JsonNode overrides) {
        if (!(defaults instanceof ObjectNode base) || !(overrides instanceof ObjectNode over)) {
            return overrides;
        }
        ObjectNode merged = base.deepCopy();
        over.fields().forEachRemaining(field -> {
            if (field.getValue().isNull()) {
                merged.remove(field.getKey());
            } else {
                merged.set(field.getKey(), merged.has(field.getKey())
                        ? merge(merged.get(field.getKey()), field.getValue()) : field.getValue());
            }
        });
        return merged;
    }

    /**
     * The objects by {@code kind namespace/name}, made comparable across kustomize and Helm. Three
     * differences are not drift and are taken out: Helm's own labels on an object's metadata; the
     * order of a container's environment (kustomize's patches put what they add first; the order
     * matters only to {@code $(VAR)} references, which are checked on their own); and the signer's
     * properties file, which k8s/ ships with comments and the chart writes from its values: its
     * ConfigMap's name (a hash of that text) becomes {@value #SIGNER_CONFIG_NAME} and its text the
     * properties it sets.
     */
    static Map<String, JsonNode> comparable(List<JsonNode> objects) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        for (JsonNode original : objects) {
            ObjectNode object;
            try {
                object = (ObjectNode) JSON.readTree(SIGNER_CONFIG.matcher(original.toString()).replaceAll(SIGNER_CONFIG_NAME));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ObjectNode metadata = (ObjectNode) object.path("metadata");
            if (metadata.path("labels") instanceof ObjectNode labels) {
                labels.remove(HELM_LABELS);
                if (labels.isEmpty()) {
                    metadata.remove("labels");
                }
            }
            for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                if (container.path("env") instanceof ArrayNode env) {
                    List<JsonNode> sorted = new ArrayList<>();
                    env.forEach(sorted::add);
                    sorted.sort(Comparator.comparing(e -> e.path("name").asText()));
                    env.removeAll().addAll(sorted);
                }
            }
            if (metadata.path("name").asText().equals(SIGNER_CONFIG_NAME) && object.path("data") instanceof ObjectNode data) {
                List<String> files = new ArrayList<>();
                data.fieldNames().forEachRemaining(files::add);
                files.stream().filter(f -> f.endsWith(".properties"))
                        .forEach(f -> data.set(f, JSON.valueToTree(properties(data.path(f).asText()))));
            }
            String key = object.path("kind").asText() + " " + (metadata.has("namespace")
                    ? metadata.path("namespace").asText() + "/" : "") + metadata.path("name").asText();
            if (byKey.put(key, object) != null) {
                throw new AssertionError("rendered twice: " + key);
            }
        }
        return byKey;
    }

    /** Where {@code a} and {@code b} differ, by JSON pointer: {@code /path: a | b}. */
    static List<String> differences(JsonNode a, JsonNode b) {
        List<String> found = new ArrayList<>();
        differences(a, b, "", found);
        return found;
    }

    private static void differences(JsonNode a, JsonNode b, String path, List<String> found) {
        if (a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            Map<String, Boolean> names = new LinkedHashMap<>();
            a.fieldNames().forEachRemaining(n -> names.put(n, true));
            b.fieldNames().forEachRemaining(n -> names.put(n, true));
            names.keySet().forEach(n -> differences(a.path(n), b.path(n), path + "/" + n.replace("~", "~0").replace("/", "~1"),
                    found));
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                differences(a.get(i), b.get(i), path + "/" + i, found);
            }
        } else {
            found.add(path + ": " + (a.isMissingNode() ? "(none)" : a) + " | " + (b.isMissingNode() ? "(none)" : b));
        }
    }

    private static Map<String, String> properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> sorted = new TreeMap<>();
        properties.stringPropertyNames().forEach(n -> sorted.put(n, properties.getProperty(n)));
        return sorted;
    }
}
