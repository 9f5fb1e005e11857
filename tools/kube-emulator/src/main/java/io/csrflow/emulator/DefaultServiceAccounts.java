package io.csrflow.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What kube-controller-manager's serviceaccounts controller does: every active Namespace has a
 * ServiceAccount named {@code default}, made when the Namespace is created (and for the Namespaces
 * that exist when the emulator starts) and made again if it is deleted. Pods that name no service
 * account run as it.
 */
final class DefaultServiceAccounts {
    static final String NAME = "default";

    private final ObjectStore store;
    private final StoredResource namespaces = StoredResource.of("", "namespaces");
    private final StoredResource serviceAccounts = StoredResource.of("", "serviceaccounts");

    private DefaultServiceAccounts(ObjectStore store) {
        this.store = store;
    }

    /** Starts reacting to Namespaces and ServiceAccounts, and fills in those missing now. */
    static void start(ObjectStore store) {
        DefaultServiceAccounts controller = new DefaultServiceAccounts(store);
        store.writeLocked(() -> {
            store.onChange(controller.namespaces, change -> {
                if (change.type() != ObjectStore.EventType.DELETED) {
                    controller.ensure(change.object().name);
                }
            });
            store.onChange(controller.serviceAccounts, change -> {
                if (change.type() == ObjectStore.EventType.DELETED && NAME.equals(change.object().name)) {
                    controller.ensure(change.object().namespace);
                }
            });
            store.objects("", "namespaces").forEach(ns -> controller.ensure(ns.path("metadata").path("name").asText()));
            return null;
        });
    }

    private void ensure(String namespace) {
        ObjectStore.Stored ns = store.get(namespaces, null, namespace);
        if (ns == null || ns.deleting || store.get(serviceAccounts, namespace, NAME) != null) {
            return;
        }
        ObjectNode account = Json.MAPPER.createObjectNode();
        account.putObject("metadata").put("name", NAME).put("namespace", namespace);
        store.create(serviceAccounts, namespace, account);
    }
}
