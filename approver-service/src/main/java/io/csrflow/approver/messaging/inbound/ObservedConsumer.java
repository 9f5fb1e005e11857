package io.csrflow.approver.messaging.inbound;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.approver.ReviewQueue;
import io.csrflow.approver.ReviewService;
import io.csrflow.events.CloudEvent;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventType;
import io.csrflow.service.CsrTrace;
import io.csrflow.service.CsrTracing;
import io.csrflow.service.PhaseHints;
import io.csrflow.service.RecordDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;

/**
 * {@code csr.observed} in: pending CSRs are reviewed; snapshots announcing another phase are
 * acknowledged without being decoded. A record that is not a valid event fails and
 * goes to the dead-letter topic (failure-strategy). Reviews run on the {@link ReviewQueue}, many CSRs
 * at once; a record is acknowledged when its review is done, and the connector commits an offset only
 * once every record before it is, so a crash loses no review.
 */
@ApplicationScoped
public class ObservedConsumer {
    private final ReviewService reviews;
    private final ReviewQueue queue;
    private final RecordDecoder decoder;

    private final CsrTracing tracing;

    ObservedConsumer(ReviewService reviews, ReviewQueue queue, MeterRegistry registry, CsrTracing tracing) {
        this.reviews = reviews;
        this.queue = queue;
        this.tracing = tracing;
        this.decoder = new RecordDecoder(registry, "csrflow.approver.records.malformed");
    }

    @Incoming("csr-observed")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        if (PhaseHints.passBy(message, CsrPhase.PENDING.wireName())) {
            return message.ack();
        }
        return queue.submit(message, this::review);
    }

    private void review(ConsumerRecord<String, byte[]> record) {
        CloudEvent<CsrObserved> event = decoder.decode(EventType.CSR_OBSERVED, record);
        if (event.data().phase() == CsrPhase.PENDING) {
            tracing.run("approver-service review", SpanKind.CONSUMER,
                    CsrTrace.parentOf(record.headers(), event.data().uid()), event.data().name(),
                    () -> reviews.review(event.data().name(), event.data().uid()));
        }
    }
}
