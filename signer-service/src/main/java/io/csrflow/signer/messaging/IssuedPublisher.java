package io.csrflow.signer.messaging;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.service.EventPublisher;

/** Publishes {@code cert.issued}, keyed by identity, and waits for the broker. */
@ApplicationScoped
public class IssuedPublisher {
    private final EventPublisher<CertIssued> publisher;

    IssuedPublisher(@Channel("cert-issued") Emitter<byte[]> emitter, Clock clock) {
        this.publisher = new EventPublisher<>(emitter, EventType.CERT_ISSUED, "/csrflow/signer-service", clock);
    }

    public void publish(CertIssued issued) {
        publisher.publish(issued);
    }
}
