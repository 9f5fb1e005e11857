package io.csrflow.events;

/**
 * A Kafka record that is not a valid csrflow event: wrong or missing CloudEvents headers, a body
 * that is not JSON, or a payload without a required field. Consumers treat it as a poison record
 * (dead-letter topic), never as a transient fault.
 */
public final class EventFormatException extends RuntimeException {
    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
