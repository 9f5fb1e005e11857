package io.csrflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * csrflow's deployment as the Kubernetes API emulator is given it: {@code kubectl kustomize
 * k8s/overlays/dev} (the overlay whose namespaces the emulator's service tokens are in), whose Roles,
 * ClusterRoles and bindings the emulator enforces, and whose Namespaces and ConfigMaps are created
 * as {@code kubectl apply -k} would create them (the signer may only update the trust bundle that
 * k8s/ ships empty, never create it).
 */
public final class ClusterManifests {
    public static final String DEV_OVERLAY = "k8s/overlays/dev";

    private static List<JsonNode> devOverlay;

    private ClusterManifests() {
    }

    /** The repository: the nearest directory up from the working one that holds {@link #DEV_OVERLAY}. */
    public static Path root() {
        String configured = System.getProperty("csrflow.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(DEV_OVERLAY))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + DEV_OVERLAY + " above " + Path.of("").toAbsolutePath());
    }

    /** Every object {@code kubectl kustomize k8s/overlays/dev} renders, rendered once per JVM. */
    public static synchronized List<JsonNode> devOverlay() {
        if (devOverlay == null) {
            devOverlay = List.copyOf(YamlDocuments.kustomize(root(), DEV_OVERLAY));
        }
        return devOverlay;
    }

    /** Writes {@link #devOverlay()} as multi-document YAML, for the emulator's {@code --rbac}. */
    public static Path writeDevOverlay(Path file) {
        StringBuilder yaml = new StringBuilder();
        for (JsonNode object : devOverlay()) {
            yaml.append("---\n").append(Serialization.asYaml(object).replaceFirst("^---\n", ""));
        }
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Creates the overlay's Namespaces and ConfigMaps, the kinds of it the emulator serves besides RBAC. */
    public static void createServedObjects(KubernetesClient admin) {
        for (JsonNode object : devOverlay()) {
            switch (object.path("kind").asText()) {
                case "Namespace" -> admin.namespaces().resource(Serialization.unmarshal(object.toString(),
                        Namespace.class)).create();
                case "ConfigMap" -> {
                    ConfigMap configMap = Serialization.unmarshal(object.toString(), ConfigMap.class);
                    admin.configMaps().inNamespace(configMap.getMetadata().getNamespace()).resource(configMap).create();
                }
                default -> {
                }
            }
        }
    }
}
