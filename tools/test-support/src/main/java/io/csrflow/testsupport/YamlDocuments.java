package io.csrflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Multi-document YAML (manifests, compose files) as JSON trees, and kustomize output read that way. */
public final class YamlDocuments {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlDocuments() {
    }

    /** Every non-empty document of {@code text}, in order. */
    public static List<JsonNode> parse(String text) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    documents.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    /** The objects {@code kubectl kustomize <dir>} renders, {@code dir} relative to {@code root}. */
    public static List<JsonNode> kustomize(Path root, String dir) {
        return parse(Cli.run(root, null, "kubectl", "kustomize", dir));
    }
}
