package io.csrflow.emulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One open watch, as kube-apiserver's cache watcher serves it: the changes of one resource (and
 * namespace) that pass its label and field selectors, as watch events in revision order. An object
 * that starts to match is ADDED, one that stops matching is DELETED (its last matching state, at
 * the revision of the change), as the API server does. Transport-neutral: {@link EmulatorServer}
 * attaches a {@link Sink} (chunked HTTP or WebSocket) and the events queued until then follow.
 * A client that asked for Tables gets each object as a one-row Table, with the column definitions
 * in the first event only, as the API server sends them.
 *
 * <p>Changes are offered by writers under the store's lock; frames are written on the transport's
 * executor in the same order. A client that stops reading is cut off once its backlog passes
 * {@link #MAX_BACKLOG} frames, as the API server terminates an unresponsive watcher; the client
 * then watches again from the last resourceVersion it saw.
 */
final class WatchStream {
    /** Where frames go: one encoded watch event each (a JSON object and a newline). */
    interface Sink {
        void send(byte[] frame);

        /** True while the connection's write buffer is full. */
        boolean congested();

        /** Calls {@code drained} once when the write buffer has room again. */
        void onDrained(Runnable drained);

        void end();
    }

    static final int MAX_BACKLOG = 50_000;
    private static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

    private final ObjectStore store;
    private final StoredResource resource;
    private final String namespace;
    private final String name;
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final boolean bookmarks;
    private final Function<JsonNode, ObjectNode> table;
    private final long timeoutSeconds;

    // Guarded by this: what was queued before a transport attached, and whether the stream has ended.
    private final List<byte[]> early = new ArrayList<>();
    private Sink sink;
    private Executor executor;
    private boolean ending;
    private boolean cancelled;
    private boolean tableHeadersSent;

    // Confined to the executor.
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    private boolean awaitingDrain;
    private boolean endRequested;

    WatchStream(ObjectStore store, StoredResource resource, String namespace, String name, LabelSelector labels,
            FieldSelector fields, boolean bookmarks, Function<JsonNode, ObjectNode> table, Long timeoutSeconds) {
        this.store = store;
        this.resource = resource;
        this.namespace = resource.namespaced() ? namespace : null;
        this.name = name != null ? name : fields.exactMatch("metadata.name");
        this.labels = labels;
        this.fields = fields;
        this.bookmarks = bookmarks;
        this.table = table;
        // Without timeoutSeconds the API server picks one between its minimum request timeout and twice that.
        this.timeoutSeconds = timeoutSeconds != null && timeoutSeconds > 0 ? timeoutSeconds
                : 1800 + ThreadLocalRandom.current().nextLong(1800);
    }

    StoredResource resource() {
        return resource;
    }

    String namespace() {
        return namespace;
    }

    boolean bookmarks() {
        return bookmarks;
    }

    long timeoutSeconds() {
        return timeoutSeconds;
    }

    ObjectStore store() {
        return store;
    }

    // ---- called by the store, under its lock --------------------------------------------------

    void offerInitial(ObjectStore.Stored object) {
        if (matches(object)) {
            enqueue("ADDED", object);
        }
    }

    void offer(ObjectStore.Change change) {
        ObjectStore.Stored object = change.object();
        boolean matchesNow = change.type() != ObjectStore.EventType.DELETED && matches(object);
        boolean matchedBefore = change.previous() != null && matches(change.previous());
        switch (change.type()) {
            case ADDED -> {
                if (matchesNow) {
                    enqueue("ADDED", object);
                }
            }
            case MODIFIED -> {
                if (matchesNow) {
                    enqueue(matchedBefore ? "MODIFIED" : "ADDED", object);
                } else if (matchedBefore) {
                    enqueue("DELETED", ObjectStore.atRevision(resource.storage(), change.previous(),
                            change.revision()));
                }
            }
            case DELETED -> {
                if (matchedBefore) {
                    enqueue("DELETED", object);
                }
            }
        }
    }

    void offerBookmark(long resourceVersion, boolean initialEventsEnd) {
        if (!bookmarks) {
            return;
        }
        ObjectNode object = Json.MAPPER.createObjectNode();
        object.put("kind", resource.kind());
        object.put("apiVersion", resource.apiVersion());
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("resourceVersion", String.valueOf(resourceVersion));
        if (initialEventsEnd) {
            metadata.putObject("annotations").put(INITIAL_EVENTS_END, "true");
        }
        enqueue(frame("BOOKMARK", Json.write(object).getBytes(StandardCharsets.UTF_8)));
    }

    /** An ERROR event with the Status of {@code error}, then the end of the stream (the API server's error watcher). */
    void fail(ApiException error) {
        ObjectNode status = Json.status(error.code(), error.reason(), error.getMessage(), null);
        enqueue(frame("ERROR", Json.write(status).getBytes(StandardCharsets.UTF_8)));
        end();
    }

    private boolean matches(ObjectStore.Stored object) {
        return (namespace == null || namespace.equals(object.namespace))
                && (name == null || name.equals(object.name))
                && labels.matches(object.labels)
                && fields.matches(object.name, object.namespace, object.fields);
    }

    private synchronized void enqueue(String type, ObjectStore.Stored object) {
        if (ending || cancelled) {
            return;
        }
        byte[] json = object.json;
        if (table != null) {
            ObjectNode rows = table.apply(resource.fromStored(object.tree()));
            if (tableHeadersSent) {
                rows.putNull("columnDefinitions");
            }
            tableHeadersSent = true;
            json = Json.write(rows).getBytes(StandardCharsets.UTF_8);
        } else if (resource.storage() != resource) {
            json = Json.write(resource.fromStored(object.tree())).getBytes(StandardCharsets.UTF_8);
        }
        enqueue(frame(type, json));
    }

    private synchronized void enqueue(byte[] frame) {
        if (ending || cancelled) {
            return;
        }
        if (sink == null) {
            early.add(frame);
        } else {
            executor.execute(() -> deliver(frame));
        }
    }

    private static byte[] frame(String type, byte[] object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(object.length + 32);
        out.writeBytes(("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(object);
        out.writeBytes("}\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    // ---- called by the transport --------------------------------------------------------------

    /** Starts writing to {@code sink}, on {@code executor} (the connection's context), from the first queued event. */
    synchronized void attach(Sink sink, Executor executor) {
        this.sink = sink;
        this.executor = executor;
        for (byte[] frame : early) {
            executor.execute(() -> deliver(frame));
        }
        early.clear();
        if (ending) {
            executor.execute(this::endOnExecutor);
        }
    }

    /** Sends a BOOKMARK now (the transport's timer calls this every bookmark interval). */
    void bookmark() {
        if (bookmarks) {
            store.bookmark(this);
        }
    }

    /** Ends the stream after what is queued, as the API server does at the watch's timeout; a final BOOKMARK first. */
    void finish() {
        bookmark();
        end();
    }

    /** The client went away: nothing more is queued or written. */
    synchronized void cancel() {
        cancelled = true;
        store.unwatch(this);
    }

    private synchronized void end() {
        if (ending) {
            return;
        }
        ending = true;
        store.unwatch(this);
        if (sink != null) {
            executor.execute(this::endOnExecutor);
        }
    }

    private boolean isCancelled() {
        synchronized (this) {
            return cancelled;
        }
    }

    private void deliver(byte[] frame) {
        if (isCancelled()) {
            return;
        }
        if (!backlog.isEmpty() || sink.congested()) {
            backlog.add(frame);
            if (backlog.size() > MAX_BACKLOG) {
                backlog.clear();
                cancel();
                sink.end();
                return;
            }
            awaitDrain();
            return;
        }
        sink.send(frame);
    }

    private void awaitDrain() {
        if (!awaitingDrain) {
            awaitingDrain = true;
            sink.onDrained(this::drain);
        }
    }

    private void drain() {
        awaitingDrain = false;
        if (isCancelled()) {
            return;
        }
        while (!backlog.isEmpty() && !sink.congested()) {
            sink.send(backlog.poll());
        }
        if (!backlog.isEmpty()) {
            awaitDrain();
        } else if (endRequested) {
            sink.end();
        }
    }

    private void endOnExecutor() {
        if (backlog.isEmpty()) {
            sink.end();
        } else {
            endRequested = true;
        }
    }
}
