package io.csrflow.emulator;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where the RBAC authorizer reads Roles, ClusterRoles and their bindings: the listers kube's RBAC
 * authorizer is built on, over whatever store keeps them.
 */
interface RbacObjects {
    List<JsonNode> clusterRoleBindings();

    List<JsonNode> roleBindings(String namespace);

    Optional<JsonNode> clusterRole(String name);

    Optional<JsonNode> role(String namespace, String name);

    /** Told when an RBAC object is about to be written, for implementations that keep a copy. */
    default void changing() {
    }
}
