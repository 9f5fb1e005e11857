package io.csrflow.approver.kube;

import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.csrflow.approver.domain.NodeAddresses;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.StartupEvent;

/** Node addresses from an informer cache, so that a serving CSR costs no API call for its Node. */
@ApplicationScoped
public class NodeCache implements NodeAddresses {
    private final KubernetesClient client;
    private volatile SharedIndexInformer<Node> informer;

    NodeCache(KubernetesClient client) {
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        informer = client.nodes().inform();
    }

    @Override
    public Optional<List<String>> of(String nodeName) {
        SharedIndexInformer<Node> current = informer;
        Node node = current == null ? null : current.getStore().getByKey(nodeName);
        if (node == null) {
            return Optional.empty();
        }
        List<NodeAddress> addresses = node.getStatus() == null || node.getStatus().getAddresses() == null
                ? List.of() : node.getStatus().getAddresses();
        return Optional.of(addresses.stream().map(NodeAddress::getAddress).toList());
    }

    public boolean synced() {
        SharedIndexInformer<Node> current = informer;
        return current != null && current.hasSynced();
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
