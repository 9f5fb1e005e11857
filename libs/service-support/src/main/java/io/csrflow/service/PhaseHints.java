package io.csrflow.service;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.events.EventCodec;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Tells the snapshots a consumer does not act on from their {@code ce_phase} header, before they are
 * queued or decoded: each CSR is published three times or more (Pending, Approved, Issued, Deleted)
 * and each consumer acts on one or two of those, so decoding the others only to drop them was most of
 * the decoding done.
 */
public final class PhaseHints {
    private PhaseHints() {
    }

    /**
     * Whether the record says it is a snapshot in none of {@code actedOn}; a record without the header
     * (an older producer's) says nothing and is handled as before.
     */
    public static boolean passBy(Message<byte[]> message, String... actedOn) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(metadata -> EventCodec.announcesNoneOf(metadata.getHeaders(), actedOn)).orElse(false);
    }
}
