package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The store's read API, which components of the emulator (RBAC) use without going through HTTP. */
class ObjectStoreTest {
    private final ObjectStore store = new ObjectStore(Clock.systemUTC(), ObjectStore.Settings.DEFAULTS);

    private static ObjectNode named(String name) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        object.putObject("metadata").put("name", name);
        return object;
    }

    @Test
    void listsTheObjectsOfOneKindInNameOrder() {
        StoredResource clusterRoles = StoredResource.of("rbac.authorization.k8s.io", "clusterroles");
        StoredResource roles = StoredResource.of("rbac.authorization.k8s.io", "roles");
        store.create(clusterRoles, null, named("view"));
        store.create(clusterRoles, null, named("admin"));
        store.create(roles, "csrflow", named("reader"));

        List<ObjectNode> listed = store.objects("rbac.authorization.k8s.io", "clusterroles");
        assertEquals(List.of("admin", "view"), listed.stream().map(o -> o.path("metadata").path("name").asText())
                .toList());
        assertEquals("ClusterRole", listed.get(0).path("kind").asText());
        assertEquals("csrflow", store.objects("rbac.authorization.k8s.io", "roles").get(0).path("metadata")
                .path("namespace").asText());
        assertEquals(List.of("default", "kube-node-lease", "kube-public", "kube-system"),
                store.objects("", "namespaces").stream().map(o -> o.path("metadata").path("name").asText())
                        .toList(), "the namespaces every cluster starts with");
        assertThrows(IllegalArgumentException.class, () -> store.objects("apps", "deployments"));
    }

    @Test
    void everyWriteTakesTheNextRevision() {
        long before = store.revision();
        ObjectStore.Stored created = store.create(StoredResource.of("", "configmaps"), "a", named("one"));
        assertEquals(before + 1, created.resourceVersion);
        assertEquals(before + 1, store.revision());
    }
}
