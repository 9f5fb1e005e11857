package io.csrflow.events;

import java.time.Instant;

/**
 * {@code io.csrflow.cert.renewal-due.v1}: a tracked certificate must be renewed, keyed by
 * {@link Identity#key()}. {@code nodeName} is set for kubelet identities ({@code system:node:NAME}),
 * never for workload identities (see {@link Identity}), whose certificates no Node owns.
 * {@code notice} counts the events sent for this certificate, starting at 1.
 */
public record RenewalDue(
        Identity identity,
        String nodeName,
        String serial,
        Instant notBefore,
        Instant notAfter,
        Instant deadline,
        RenewalReason reason,
        int notice,
        Instant emittedAt) {

    public RenewalDue {
        Require.field(identity, "identity");
        Require.field(serial, "serial");
        Require.field(notBefore, "notBefore");
        Require.field(notAfter, "notAfter");
        Require.field(deadline, "deadline");
        Require.field(reason, "reason");
        Require.field(emittedAt, "emittedAt");
    }
}
