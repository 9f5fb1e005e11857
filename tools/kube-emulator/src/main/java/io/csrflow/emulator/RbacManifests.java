package io.csrflow.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * RBAC objects ({@code rbac.authorization.k8s.io/v1} Role, ClusterRole, RoleBinding,
 * ClusterRoleBinding) in manifests: multi-document YAML as {@code kubectl kustomize} renders it, or
 * a {@code kind: List}. Other kinds in the same manifests are left to whoever applies them.
 */
final class RbacManifests {
    static final String GROUP = "rbac.authorization.k8s.io";
    static final Set<String> KINDS = Set.of("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RbacManifests() {
    }

    /** Every object of {@code yaml}, in order, with the items of a {@code kind: List} in its place. */
    static List<ObjectNode> parse(String yaml) {
        List<ObjectNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document instanceof ObjectNode object && !object.isEmpty()) {
                    if (object.path("kind").asText().endsWith("List") && object.path("items").isArray()) {
                        object.path("items").forEach(item -> {
                            if (item instanceof ObjectNode o) {
                                objects.add(o);
                            }
                        });
                    } else {
                        objects.add(object);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML manifests: " + e.getMessage(), e);
        }
        return objects;
    }

    static List<ObjectNode> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read manifests " + file + ": " + e.getMessage(), e);
        }
    }

    static boolean isRbac(JsonNode object) {
        return object.path("apiVersion").asText().equals(GROUP + "/v1") && KINDS.contains(object.path("kind").asText());
    }

    /** The RBAC objects among {@code objects}, copied. */
    static List<ObjectNode> rbacOnly(List<? extends JsonNode> objects) {
        List<ObjectNode> rbac = new ArrayList<>();
        for (JsonNode object : objects) {
            if (object instanceof ObjectNode o && isRbac(o)) {
                rbac.add(o.deepCopy());
            }
        }
        return rbac;
    }

    /**
     * What kube-apiserver creates at start (its RBAC bootstrap policy), for what the emulator serves:
     * cluster-admin for {@code system:masters}, discovery and self reviews for every authenticated
     * user, the kubelet TLS bootstrap roles, the signer approver roles and {@code system:node}.
     */
    static List<ObjectNode> bootstrapPolicy() {
        try (InputStream in = RbacManifests.class.getResourceAsStream("/bootstrap-rbac.yaml")) {
            if (in == null) {
                throw new IllegalStateException("bootstrap-rbac.yaml is missing from the emulator jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
