package io.csrflow.approver.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.events.CsrDecision;
import io.csrflow.events.EncodedEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** Publishes {@code csr.decisions} and waits for the broker's acknowledgement. */
@ApplicationScoped
public class DecisionPublisher {
    private final Emitter<byte[]> emitter;
    private final EventCodec codec;

    DecisionPublisher(@Channel("csr-decisions") Emitter<byte[]> emitter, Clock clock) {
        this.emitter = emitter;
        this.codec = new EventCodec("/csrflow/approver-service", clock);
    }

    public void publish(CsrDecision decision) {
        EncodedEvent event = codec.encode(EventType.CSR_DECISION, decision);
        RecordHeaders headers = new RecordHeaders();
        event.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(Message.of(event.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.key()).withHeaders(headers)
                        .build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(error -> {
                    acked.completeExceptionally(error);
                    return CompletableFuture.completedFuture(null);
                }));
        try {
            acked.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing the decision on " + decision.csrName() + " failed", e);
        }
    }
}
