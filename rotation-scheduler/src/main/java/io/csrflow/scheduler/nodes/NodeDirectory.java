package io.csrflow.scheduler.nodes;

import java.time.Instant;
import java.util.List;

/**
 * Which Nodes exist, as far as this replica knows. The scheduler stops tracking the identities
 * of a deleted Node; absence is trusted only once the directory has a complete view.
 */
public interface NodeDirectory {

    /** A Node deletion, numbered so that each stream task can read the log from where it left off. */
    record NodeDeletion(long sequence, String nodeName, Instant deletedAt) {
    }

    /** True once the directory has listed every Node; before that, absence means nothing. */
    boolean synced();

    boolean exists(String nodeName);

    /** Deletions numbered above {@code sequence}, oldest first. */
    List<NodeDeletion> deletionsAfter(long sequence);

    /** For deployments that do not follow Nodes: never synced, so nothing is ever removed. */
    NodeDirectory NONE = new NodeDirectory() {
        @Override
        public boolean synced() {
            return false;
        }

        @Override
        public boolean exists(String nodeName) {
            return true;
        }

        @Override
        public List<NodeDeletion> deletionsAfter(long sequence) {
            return List.of();
        }
    };
}
