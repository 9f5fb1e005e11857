package io.csrflow.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Secrets: a Secret written without a {@code type} is {@code Opaque}, as the API server's defaulting
 * ({@code SetDefaults_Secret}) makes it on every write; {@code kubectl create secret generic} sends none.
 */
final class SecretRules implements ObjectRules {
    @Override
    public void create(ObjectNode object, String namespace) {
        defaultType(object);
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
        defaultType(updated);
    }

    private static void defaultType(ObjectNode secret) {
        String type = Json.text(secret, "type");
        if (type == null || type.isEmpty()) {
            secret.put("type", "Opaque");
        }
    }
}
