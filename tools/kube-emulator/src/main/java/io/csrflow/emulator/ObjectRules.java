package io.csrflow.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A kind's registry strategy and validation, as the API server runs them around storage: defaults and
 * checks of a create, and checks of an update of the object or its {@code /status}. Both run under
 * the store's write lock, so that what they read of other objects (a ServiceAccount a Pod names, the
 * cluster IPs Services hold) is still true when the write lands. Refusals are {@link ApiException}s.
 */
interface ObjectRules {
    /** No rules beyond the generic ones. */
    ObjectRules NONE = new ObjectRules() {
    };

    /** Defaults and validates an object about to be created in {@code namespace} (null: cluster scope). */
    default void create(ObjectNode object, String namespace) {
    }

    /**
     * Validates an update. {@code updated} is the whole object as it will be stored: for an update of
     * the object, the stored status already put back; for {@code /status}, the stored spec. It may be
     * changed (values the API server carries over from the stored object).
     */
    default void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
    }

    /**
     * {@link #update(ObjectNode, ObjectNode, ObjectStore.Part)} by {@code caller}, for strategies that
     * ask who writes (the PodCertificateRequest status strategy checks that the writer may sign).
     */
    default void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part, EmulatorConfig.User caller) {
        update(stored, updated, part);
    }
}
