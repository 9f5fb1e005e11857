package io.csrflow.scheduler.nodes;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The recent Node deletions, bounded: a deletion that fell out of it is still caught by the
 * scheduler's sweep, only later. Thread-safe: the informer writes, stream threads read.
 */
public final class DeletionLog {
    private final int capacity;
    private final Deque<NodeDirectory.NodeDeletion> entries = new ArrayDeque<>();
    private long sequence;

    public DeletionLog(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(String nodeName, Instant deletedAt) {
        entries.addLast(new NodeDirectory.NodeDeletion(++sequence, nodeName, deletedAt));
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    public synchronized List<NodeDirectory.NodeDeletion> after(long seen) {
        List<NodeDirectory.NodeDeletion> newer = new ArrayList<>();
        for (NodeDirectory.NodeDeletion d : entries) {
            if (d.sequence() > seen) {
                newer.add(d);
            }
        }
        return newer;
    }
}
