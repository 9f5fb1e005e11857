package io.csrflow.signer.messaging.outbound;

import java.security.cert.X509Certificate;
import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventType;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.service.EventPublisher;
import io.csrflow.service.PublishFailedException;
import io.csrflow.signer.domain.IssuedEvents;

/**
 * The one announcer of {@code cert.issued}, however a certificate comes to be announced (right after
 * it is written, or late after a lost announcement): builds the event, publishes it keyed by identity,
 * waits for the broker, and tells the index, so that this replica never asks the topic about a
 * certificate it announced itself.
 */
@ApplicationScoped
public class IssuedPublisher {
    private final EventPublisher<CertIssued> publisher;
    private final IssuedTopicIndex index;
    private final Clock clock;

    IssuedPublisher(@Channel("cert-issued") Emitter<byte[]> emitter, IssuedTopicIndex index, Clock clock) {
        this.publisher = new EventPublisher<>(emitter, EventType.CERT_ISSUED, "/csrflow/signer-service", clock);
        this.index = index;
        this.clock = clock;
    }

    /**
     * Announces the certificate written to {@code csr}.
     *
     * @throws PublishFailedException if the broker did not acknowledge the event
     */
    public void announce(CsrObserved csr, ParsedCsr parsed, X509Certificate certificate, String pem) {
        CertIssued issued = IssuedEvents.of(csr, parsed, certificate, pem, clock.instant());
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
