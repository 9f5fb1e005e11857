package io.csrflow.approver.domain;

/** A collaborator (the Kubernetes API) did not answer; the review is retried, never decided on it. */
public final class TransientFailure extends RuntimeException {
    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
