package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/** RBAC objects held in memory, indexed as the authorizer asks for them. */
final class RbacSnapshot implements RbacObjects {
    private final Map<String, JsonNode> clusterRoles = new HashMap<>();
    private final Map<String, JsonNode> roles = new HashMap<>();
    private final List<JsonNode> clusterRoleBindings = new ArrayList<>();
    private final Map<String, List<JsonNode>> roleBindings = new HashMap<>();

    private RbacSnapshot() {
    }

    /** The RBAC objects among {@code objects}; a later object of the same kind and name replaces an earlier one. */
    static RbacSnapshot of(Collection<? extends JsonNode> objects) {
        RbacSnapshot snapshot = new RbacSnapshot();
        Map<String, JsonNode> byKey = new java.util.LinkedHashMap<>();
        for (JsonNode object : objects) {
            if (RbacManifests.isRbac(object)) {
                byKey.put(object.path("kind").asText() + "/" + namespace(object) + "/" + name(object), object);
            }
        }
        for (JsonNode object : byKey.values()) {
            switch (object.path("kind").asText()) {
                case "ClusterRole" -> snapshot.clusterRoles.put(name(object), object);
                case "Role" -> snapshot.roles.put(namespace(object) + "/" + name(object), object);
                case "ClusterRoleBinding" -> snapshot.clusterRoleBindings.add(object);
                case "RoleBinding" -> snapshot.roleBindings.computeIfAbsent(namespace(object), n -> new ArrayList<>())
                        .add(object);
                default -> throw new IllegalStateException("not an RBAC kind: " + object.path("kind"));
            }
        }
        return snapshot;
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    private static String namespace(JsonNode object) {
        return object.path("metadata").path("namespace").asText("");
    }

    @Override
    public List<JsonNode> clusterRoleBindings() {
        return clusterRoleBindings;
    }

    @Override
    public List<JsonNode> roleBindings(String namespace) {
        return roleBindings.getOrDefault(namespace, List.of());
    }

    @Override
    public Optional<JsonNode> clusterRole(String name) {
        return Optional.ofNullable(clusterRoles.get(name));
    }

    @Override
    public Optional<JsonNode> role(String namespace, String name) {
        return Optional.ofNullable(roles.get(namespace + "/" + name));
    }
}
