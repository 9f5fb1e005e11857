package io.csrflow.scheduler.nodes;

import java.time.Clock;
import java.util.List;

import io.csrflow.service.FollowedInformer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

/** Nodes from an informer: its cache answers "exists", its delete events fill the deletion log. */
public final class KubeNodeDirectory implements NodeDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubeNodeDirectory.class);
    private static final int LOG_CAPACITY = 10_000;

    private final FollowedInformer<Node> informer;
    private final DeletionLog deletions = new DeletionLog(LOG_CAPACITY);

    public KubeNodeDirectory(KubernetesClient client, Clock clock) {
        // Returns at once and lists again with backoff, so an API server that is away at start-up (or
        // RBAC that forbids nodes for now) leaves the directory unsynced until it answers; one that
        // stops for good on an answer it cannot read is unsynced too, and started afresh.
        informer = new FollowedInformer<>("Nodes", () -> {
            SharedIndexInformer<Node> created = client.nodes().runnableInformer(0);
            created.addEventHandler(new ResourceEventHandler<>() {
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
            return created;
        }).start();
    }

    /** Not while a stopped informer's frozen list waits to be read afresh: a Node missing from it may exist. */
    @Override
    public boolean synced() {
        return informer.synced();
    }

    @Override
    public boolean exists(String nodeName) {
        SharedIndexInformer<Node> current = informer.current();
        return current != null && current.getStore().getByKey(nodeName) != null;
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
