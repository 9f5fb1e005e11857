package io.csrflow.service;

/**
 * The broker did not acknowledge an event in time. Transient: the effect it announces happened (or
 * not) in the Kubernetes API, which stays the truth; the caller decides whether the input is retried.
 */
public final class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
