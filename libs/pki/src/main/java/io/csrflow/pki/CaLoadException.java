package io.csrflow.pki;

/** CA files that cannot be used; the message names the file and what is wrong with it. */
public final class CaLoadException extends Exception {
    public CaLoadException(String message) {
        super(message);
    }

    public CaLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
