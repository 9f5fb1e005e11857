package io.csrflow.signer.messaging.inbound;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.events.CsrDecision;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.signer.LostAnnouncements;
import io.csrflow.signer.SigningQueue;
import io.csrflow.signer.SigningService;
import io.csrflow.service.CsrTrace;
import io.csrflow.service.CsrTracing;
import io.csrflow.service.PhaseHints;
import io.csrflow.service.RecordDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;

/**
 * Approvals in: {@code csr.decisions} APPROVED from the approver, and {@code csr.observed} in phase
 * Approved, so that approvals by an administrator ({@code kubectl certificate approve}) are signed
 * too. Either is only a hint; the live CSR decides. Issued CSRs on {@code csr.observed} are checked
 * for a lost {@code cert.issued}; snapshots announcing another phase are acknowledged without being
 * decoded. Invalid records go to the dead-letter topic. Both run on the
 * {@link SigningQueue}; a record is acknowledged (its offset committed once all before it are) when handled.
 */
@ApplicationScoped
public class ApprovalConsumers {
    private final SigningService signing;
    private final SigningQueue queue;
    private final LostAnnouncements lostAnnouncements;
    private final RecordDecoder decoder;

    private final CsrTracing tracing;

    ApprovalConsumers(SigningService signing, SigningQueue queue, LostAnnouncements lostAnnouncements,
            MeterRegistry registry, CsrTracing tracing) {
        this.signing = signing;
        this.queue = queue;
        this.lostAnnouncements = lostAnnouncements;
        this.tracing = tracing;
        this.decoder = new RecordDecoder(registry, "csrflow.signer.records.malformed");
    }

    @Incoming("csr-decisions")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> decision(Message<byte[]> message) {
        return queue.submit(message, this::decision);
    }

    @Incoming("csr-observed")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> observed(Message<byte[]> message) {
        if (PhaseHints.passBy(message, CsrPhase.APPROVED.wireName(), CsrPhase.ISSUED.wireName())) {
            return message.ack();
        }
        return queue.submit(message, this::observed);
    }

    private void decision(ConsumerRecord<String, byte[]> record) {
        CsrDecision decision = decoder.decode(EventType.CSR_DECISION, record).data();
        if (decision.outcome() == DecisionOutcome.APPROVED) {
            tracing.run("signer-service sign", SpanKind.CONSUMER,
                    CsrTrace.parentOf(record.headers(), decision.csrUid()), decision.csrName(),
                    () -> signing.sign(decision.csrName(), decision.csrUid()));
        }
    }

    private void observed(ConsumerRecord<String, byte[]> record) {
        CsrObserved csr = decoder.decode(EventType.CSR_OBSERVED, record).data();
        if (csr.phase() == CsrPhase.APPROVED) {
            tracing.run("signer-service sign", SpanKind.CONSUMER, CsrTrace.parentOf(record.headers(), csr.uid()),
                    csr.name(), () -> signing.sign(csr.name(), csr.uid()));
        } else if (csr.phase() == CsrPhase.ISSUED) {
            lostAnnouncements.check(csr);
        }
    }
}
