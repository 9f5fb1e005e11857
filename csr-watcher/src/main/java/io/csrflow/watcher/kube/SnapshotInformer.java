package io.csrflow.watcher.kube;

import java.util.List;
import java.util.function.Supplier;

import io.csrflow.service.Backoff;
import io.csrflow.service.FollowedInformer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * One informer of the watcher, run while this replica leads: every add, update and delete is handed
 * on as it comes (a delete with the object's last state), and every resync re-delivers every object.
 * Its initial list hands on every existing object, so a new leader covers whatever the previous one
 * missed. Starting returns at once; an API that does not answer yet leaves it unsynced (not ready)
 * and listing again with backoff; one that stops for good is started afresh ({@link FollowedInformer}).
 */
final class SnapshotInformer<R extends HasMetadata> {
    /** Receives what the informer saw; {@code deleted} for an object's last state. Never blocks. */
    interface Observer<R> {
        void observed(R object, boolean deleted);
    }

    private final String what;
    private final Supplier<SharedIndexInformer<R>> create;
    private final Observer<R> observer;
    private final Backoff restarts;
    private volatile FollowedInformer<R> informer;

    /**
     * @param what   what it follows, for the log ("CSRs")
     * @param create a new informer, not started, with its resync period
     */
    SnapshotInformer(String what, Supplier<SharedIndexInformer<R>> create, Observer<R> observer) {
        this(what, create, observer, FollowedInformer.RESTARTS);
    }

    /** @param restarts the pauses before an informer that stopped for good is started afresh */
    SnapshotInformer(String what, Supplier<SharedIndexInformer<R>> create, Observer<R> observer, Backoff restarts) {
        this.what = what;
        this.create = create;
        this.observer = observer;
        this.restarts = restarts;
    }

    synchronized void start() {
        if (informer == null) {
            // One that stops for good is started afresh: its first list hands on every object again.
            informer = new FollowedInformer<>(what, () -> {
                SharedIndexInformer<R> created = create.get();
                created.addEventHandler(new Handler());
                return created;
            }, restarts).start();
        }
    }

    synchronized void stop() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
    }

    /** Listed and still following; not while one that stopped for good waits to be started afresh. */
    boolean synced() {
        FollowedInformer<R> current = informer;
        return current != null && current.synced();
    }

    /** Stopped for good on an answer it cannot read, and waiting to be started afresh. */
    boolean stopped() {
        FollowedInformer<R> current = informer;
        return current != null && current.stopped();
    }

    /** The objects in the cache, as the informer holds them: read them, never change them. Empty unless running. */
    List<R> cached() {
        FollowedInformer<R> current = informer;
        SharedIndexInformer<R> now = current == null ? null : current.current();
        return now == null ? List.of() : now.getStore().list();
    }

    private final class Handler implements ResourceEventHandler<R> {
        @Override
        public void onAdd(R object) {
            observer.observed(object, false);
        }

        @Override
        public void onUpdate(R old, R object) {
            observer.observed(object, false);
        }

        @Override
        public void onDelete(R object, boolean deletedFinalStateUnknown) {
            observer.observed(object, true);
        }
    }
}
