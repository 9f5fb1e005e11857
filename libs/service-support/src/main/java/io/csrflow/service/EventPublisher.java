package io.csrflow.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.events.EncodedEvent;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Sends one kind of event through a SmallRye emitter, as a CloudEvent in Kafka binary mode, and
 * waits for the broker's acknowledgement so that callers commit their input only after it. The
 * current span goes along as {@code traceparent} (see {@link CsrTrace}).
 */
public final class EventPublisher<T> {
    private final Emitter<byte[]> emitter;
    private final EventType<T> type;
    private final EventCodec codec;

    public EventPublisher(Emitter<byte[]> emitter, EventType<T> type, String source, Clock clock) {
        this.emitter = emitter;
        this.type = type;
        this.codec = new EventCodec(source, clock);
    }

    /** @throws PublishFailedException if the broker did not acknowledge within a minute */
    public void publish(T payload) {
        EncodedEvent event = codec.encode(type, payload);
        RecordHeaders headers = new RecordHeaders();
        event.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        CsrTrace.injectCurrent(headers);
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("publishing " + type + " for " + event.key() + " was interrupted", e);
        } catch (Exception e) {
            throw new PublishFailedException("publishing " + type + " for " + event.key() + " failed", e);
        }
    }
}
