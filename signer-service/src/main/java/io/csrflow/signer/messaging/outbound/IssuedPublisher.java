package io.csrflow.signer.messaging;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.service.EventPublisher;

/**
 * Publishes {@code cert.issued}, keyed by identity, waits for the broker, and tells the index, so
 * that this replica never asks the topic about a certificate it announced itself.
 */
@ApplicationScoped
public class IssuedPublisher {
    private final EventPublisher<CertIssued> publisher;
    private final IssuedTopicIndex index;

    IssuedPublisher(@Channel("cert-issued") Emitter<byte[]> emitter, IssuedTopicIndex index, Clock clock) {
        this.publisher = new EventPublisher<>(emitter, EventType.CERT_ISSUED, "/csrflow/signer-service", clock);
        this.index = index;
    }

    /** @throws IllegalStateException if the broker did not acknowledge the event */
    public void publish(CertIssued issued) {
        publisher.publish(issued);
        index.remember(issued.sha256Fingerprint());
    }

    /** Whether the index already knows this certificate was announced, without reading the topic. */
    public boolean remembered(String fingerprint) {
        return index.remembered(fingerprint);
    }

    /** Whether {@code cert.issued} holds this certificate (see {@link IssuedTopicIndex#announced}). */
    public boolean announced(String fingerprint) {
        return index.announced(fingerprint);
    }
}
