package io.csrflow.approver.messaging.outbound;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import io.csrflow.events.CsrDecision;
import io.csrflow.events.EventType;
import io.csrflow.service.EventPublisher;

/** Publishes {@code csr.decisions} and waits for the broker's acknowledgement. */
@ApplicationScoped
public class DecisionPublisher {
    private final EventPublisher<CsrDecision> publisher;

    DecisionPublisher(@Channel("csr-decisions") Emitter<byte[]> emitter, Clock clock) {
        this.publisher = new EventPublisher<>(emitter, EventType.CSR_DECISION, "/csrflow/approver-service", clock);
    }

    public void publish(CsrDecision decision) {
        publisher.publish(decision);
    }
}
