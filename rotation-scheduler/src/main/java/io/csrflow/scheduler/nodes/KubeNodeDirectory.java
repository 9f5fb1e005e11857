package io.csrflow.scheduler.nodes;

import java.time.Clock;
import java.util.List;

import io.csrflow.service.Informers;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

/** Nodes from an informer: its cache answers "exists", its delete events fill the deletion log. */
public final class KubeNodeDirectory implements NodeDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeNodeDirectory.class);
    private static final int LOG_CAPACITY = 10_000;

    private final SharedIndexInformer<Node> informer;
    private final DeletionLog deletions = new DeletionLog(LOG_CAPACITY);

    public KubeNodeDirectory(KubernetesClient client, Clock clock) {
        informer = client.nodes().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
            }

            @Override
            public void onUpdate(Node before, Node after) {
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                deletions.add(node.getMetadata().getName(), clock.instant());
                LOG.infof("Node %s deleted: its certificates are no longer tracked", node.getMetadata().getName());
            }
        });
        // Returns at once and lists again with backoff, so an API server that is away at start-up (or
        // RBAC that forbids nodes for now) leaves the directory unsynced until it answers, never stopped.
        Informers.start(informer, "Nodes");
    }

    @Override
    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public boolean exists(String nodeName) {
        return informer.getStore().getByKey(nodeName) != null;
    }

    @Override
    public List<NodeDeletion> deletionsAfter(long sequence) {
        return deletions.after(sequence);
    }

    @Override
    public void close() {
        informer.close();
    }
}
