package io.csrflow.events;

import java.time.Instant;

/** One entry of a CSR's {@code status.conditions}, as the API server holds it. */
public record CsrCondition(
        String type,
        String status,
        String reason,
        String message,
        Instant lastUpdateTime,
        Instant lastTransitionTime) {

    public CsrCondition {
        Require.field(type, "type");
        Require.field(status, "status");
    }
}
