package io.csrflow.service;

/** The Kubernetes API did not answer (or answered with a server error): transient, nothing was decided on it. */
public final class ApiUnavailableException extends RuntimeException {
    public ApiUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
