package io.csrflow.events;

import java.time.Instant;

/** One entry of a PodCertificateRequest's {@code status.conditions} (a metav1.Condition). */
public record PodCertificateCondition(
        String type,
        String status,
        String reason,
        String message,
        Instant lastTransitionTime) {

    public PodCertificateCondition {
        Require.field(type, "type");
        Require.field(status, "status");
    }
}
