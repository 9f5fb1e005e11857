package io.csrflow.service;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * An informer that is started afresh when it stops for good. fabric8 stops one for good on an answer
 * it cannot read ({@link Informers}) and cannot start it again; its cache then stays as last read and
 * would still count as synced. Here it counts as not synced from that moment, and after a pause (30 s,
 * doubling to 5 min while the answer stays unreadable) a new informer from {@code create} lists
 * everything again, as a restart of the service would, without stopping the service's other work.
 * A new informer sees only what is there now: changes and deletions while it was stopped raise no
 * events, as after a restart.
 */
public final class FollowedInformer<T extends HasMetadata> {
    /** The pauses before each start afresh. */
    public static final Backoff RESTARTS = new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(5));
    private static final Logger LOG = Logger.getLogger(FollowedInformer.class);

    private final String what;
    private final Supplier<SharedIndexInformer<T>> create;
    private final Backoff restarts;
    private final ScheduledExecutorService restarter;
    private volatile SharedIndexInformer<T> current;
    private volatile int startedAfresh;
    private volatile Runnable listedAfresh = () -> { };
    /** Stops in a row, each soon after its start: the pause grows with them. */
    private int stopsInARow;
    private long startedAtNanos;
    private boolean closed;

    /**
     * @param what   what it follows, for the log ("Nodes")
     * @param create a new informer, its handlers, indexers and store set, not started
     */
    public FollowedInformer(String what, Supplier<SharedIndexInformer<T>> create) {
        this(what, create, RESTARTS);
    }

    /** @param restarts the pauses before each start afresh ({@link #RESTARTS} but in tests) */
    public FollowedInformer(String what, Supplier<SharedIndexInformer<T>> create, Backoff restarts) {
        this.what = what;
        this.create = create;
        this.restarts = restarts;
        this.restarter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "informer-restart");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * What to do once an informer started afresh has listed: its list raises no event for objects
     * deleted while it was stopped, so an owner that must put them back looks at everything again.
     * Set before {@link #start()}.
     */
    public synchronized FollowedInformer<T> onListedAfresh(Runnable action) {
        this.listedAfresh = action;
        return this;
    }

    /** Starts it without waiting for its first list (see {@link Informers#start}); once only. */
    public synchronized FollowedInformer<T> start() {
        if (current == null && !closed) {
            try {
                begin(false);
            } catch (RuntimeException e) {
                retryStart(null, e);
            }
        }
        return this;
    }

    private void begin(boolean afresh) {
        SharedIndexInformer<T> informer = create.get();
        Informers.listed(informer, what).thenRun(() -> {
            if (afresh) {
                listedAfresh.run();
            }
        });
        current = informer;
        startedAtNanos = System.nanoTime();
        informer.stopped().whenComplete((ignored, error) -> {
            if (error != null) {
                stoppedForGood(informer);
            }
        });
    }

    private synchronized void stoppedForGood(SharedIndexInformer<T> stopped) {
        if (closed || current != stopped) {
            return;
        }
        // One that followed for longer than the longest pause is a new trouble, not the same one again.
        if (System.nanoTime() - startedAtNanos > restarts.max().toNanos()) {
            stopsInARow = 0;
        }
        Duration pause = restarts.delay(stopsInARow++);
        LOG.errorf("stopped following %s: not synced until an informer started afresh in %d s has listed them again",
                what, pause.toSeconds());
        restarter.schedule(() -> startAfresh(stopped), pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void startAfresh(SharedIndexInformer<T> stopped) {
        if (closed || current != stopped) {
            return;
        }
        try {
            begin(true);
            startedAfresh++;
        } catch (RuntimeException e) {
            retryStart(stopped, e);
        }
    }

    /** Not started: not synced still, and tried again after the next pause. */
    private void retryStart(SharedIndexInformer<T> stopped, RuntimeException e) {
        Duration pause = restarts.delay(stopsInARow++);
        LOG.errorf(e, "could not start following %s; trying again in %d s", what, pause.toSeconds());
        restarter.schedule(() -> startAfresh(stopped), pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The informer now, null before {@link #start()}: its store is what it last read. */
    public SharedIndexInformer<T> current() {
        return current;
    }

    /** The informer now if it has listed and still follows, else null: read it once, so that both hold together. */
    public SharedIndexInformer<T> syncedInformer() {
        SharedIndexInformer<T> informer = current;
        return informer != null && informer.hasSynced() && informer.isRunning() ? informer : null;
    }

    /** Listed, and still following: what the cache holds is evidence. */
    public boolean synced() {
        // hasSynced stays true once the first list is in, even after the informer stopped for good.
        return syncedInformer() != null;
    }

    /** Stopped for good and waiting to be started afresh. */
    public boolean stopped() {
        SharedIndexInformer<T> informer = current;
        return informer != null && Informers.stoppedForGood(informer);
    }

    /** How many times an informer was started afresh after one stopped for good. */
    public int startedAfresh() {
        return startedAfresh;
    }

    public synchronized void close() {
        closed = true;
        restarter.shutdownNow();
        if (current != null) {
            current.close();
        }
    }
}
