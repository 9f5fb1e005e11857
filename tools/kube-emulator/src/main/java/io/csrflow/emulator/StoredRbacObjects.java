package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The RBAC objects of the emulator's {@link ObjectStore}, where they are created, read and deleted
 * through the API like any other object, and where the emulator puts those it starts with. The
 * authorizer reads a snapshot, taken again after an RBAC write, rather than four lists and their
 * parsing on every request. A snapshot is taken holding the store's write lock, under which RBAC
 * writes announce themselves ({@link #changing()}, from admission) and then happen, so that it
 * never misses a write that was announced.
 */
final class StoredRbacObjects implements RbacObjects {
    private static final List<String> RESOURCES = List.of("clusterroles", "clusterrolebindings", "roles",
            "rolebindings");

    private record Versioned(long generation, RbacSnapshot snapshot) {
    }

    private final ObjectStore store;
    private final AtomicLong generation = new AtomicLong();
    private volatile Versioned current = new Versioned(-1, null);

    private StoredRbacObjects(ObjectStore store) {
        this.store = store;
    }

    /**
     * The RBAC objects of {@code store}, after the API server's defaults ({@link RbacManifests#bootstrapPolicy()})
     * and then {@code objects} have been put there, as {@code kubectl apply} would.
     */
    static StoredRbacObjects seeded(ObjectStore store, List<ObjectNode> objects) {
        StoredRbacObjects rbac = new StoredRbacObjects(store);
        List<ObjectNode> all = new ArrayList<>(RbacManifests.bootstrapPolicy());
        all.addAll(objects);
        store.writeLocked(() -> {
            rbac.changing();
            for (ObjectNode object : all) {
                ObjectNode copy = object.deepCopy();
                ObjectNode metadata = Json.object(copy, "metadata");
                metadata.remove("resourceVersion");
                String resource = object.path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "s";
                String namespace = Json.text(metadata, "namespace");
                if (!resource.startsWith("cluster") && (namespace == null || namespace.isEmpty())) {
                    throw new IllegalArgumentException(object.path("kind").asText() + " "
                            + Json.text(metadata, "name") + " has no namespace");
                }
                store.update(StoredResource.of(RbacManifests.GROUP, resource), namespace, Json.text(metadata, "name"),
                        copy, ObjectStore.Part.OBJECT);
            }
            return null;
        });
        return rbac;
    }

    @Override
    public void changing() {
        generation.incrementAndGet();
    }

    private RbacSnapshot snapshot() {
        Versioned seen = current;
        if (seen.generation() == generation.get()) {
            return seen.snapshot();
        }
        Versioned taken = store.writeLocked(() -> {
            long at = generation.get();
            List<JsonNode> objects = new ArrayList<>();
            for (String resource : RESOURCES) {
                String kind = StoredResource.of(RbacManifests.GROUP, resource).kind();
                for (ObjectNode object : store.objects(RbacManifests.GROUP, resource)) {
                    objects.add(object.put("apiVersion", RbacManifests.GROUP + "/v1").put("kind", kind));
                }
            }
            return new Versioned(at, RbacSnapshot.of(objects));
        });
        current = taken;
        return taken.snapshot();
    }

    @Override
    public List<JsonNode> clusterRoleBindings() {
        return snapshot().clusterRoleBindings();
    }

    @Override
    public List<JsonNode> roleBindings(String namespace) {
        return snapshot().roleBindings(namespace);
    }

    @Override
    public Optional<JsonNode> clusterRole(String name) {
        return snapshot().clusterRole(name);
    }

    @Override
    public Optional<JsonNode> role(String namespace, String name) {
        return snapshot().role(namespace, name);
    }
}
