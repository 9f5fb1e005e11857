package io.csrflow.service;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Starts fabric8 informers so that an API server that is not there yet delays them instead of
 * stopping them. fabric8 gives up on an informer whose first list fails ("will stop"), and its
 * blocking {@code inform()}/{@code run()} then throws, which stopped a service starting before its
 * API server and left another one without Nodes for good. Started here, the informer returns at
 * once, keeps listing with fabric8's exponential backoff (1 s doubling to 32 s) until the API
 * answers, and reports {@code hasSynced()} from then on, which is what readiness looks at.
 */
public final class Informers {
    private static final Logger LOG = Logger.getLogger(Informers.class);

    private Informers() {
    }

    /**
     * Starts {@code informer} (its handlers already added) without waiting for its first list.
     *
     * @param what what it follows, for the log ("Nodes", "CSRs")
     */
    public static <T extends HasMetadata> SharedIndexInformer<T> start(SharedIndexInformer<T> informer, String what) {
        listed(informer, what);
        return informer;
    }

    /** As {@link #start}, and completes once the first list is in. */
    static <T extends HasMetadata> CompletionStage<Void> listed(SharedIndexInformer<T> informer, String what) {
        informer.exceptionHandler((started, error) -> {
            // An answer that cannot be read will not read better next time; anything else is the
            // API being away, refusing for now (RBAC not applied yet) or a watch that ended, and
            // fabric8 logs each retry itself.
            if (ExceptionHandler.isDeserializationException(error)) {
                LOG.errorf("cannot read the API's answer about %s (%s); not following them", what, rootMessage(error));
                return false;
            }
            return true;
        });
        return informer.start().whenComplete((ignored, error) -> {
            if (error == null) {
                LOG.debugf("listed %s", what);
            } else if (!(error instanceof CancellationException)) {
                LOG.errorf("not following %s: %s", what, rootMessage(error));
            }
        });
    }

    /**
     * Whether {@code informer} stopped for good on an error (an answer it cannot read, above): it
     * follows nothing any more, and only a new informer ({@link FollowedInformer}) or a restart of the
     * service follows again. Closing it is no error.
     */
    public static boolean stoppedForGood(SharedIndexInformer<?> informer) {
        return informer.stopped().toCompletableFuture().isCompletedExceptionally();
    }

    /** The innermost reason, with its type when that is what says it ("UnknownHostException: kafka"). */
    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root.getMessage() == null) {
            return root.getClass().getSimpleName();
        }
        return root instanceof IOException ? root.getClass().getSimpleName() + ": " + root.getMessage()
                : root.getMessage();
    }
}
