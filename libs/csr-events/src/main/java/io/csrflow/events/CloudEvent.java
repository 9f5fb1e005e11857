package io.csrflow.events;

import java.time.Instant;

/**
 * A decoded event: the CloudEvents 1.0 context attributes carried in {@code ce_*} Kafka headers,
 * and the JSON payload.
 */
public record CloudEvent<T>(String id, String source, String type, String subject, Instant time, T data) {
}
