package io.csrflow.approver;

import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.service.CsrTrace;
import io.csrflow.service.CsrTracing;
import io.csrflow.service.KeyedWork;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The approver's reviews, many CSRs at once and each CSR's in turn: records from {@code csr.observed}
 * and the retries of CSRs left pending go through the same per-CSR queue, so two reviews of one CSR
 * never overlap.
 */
@ApplicationScoped
public class ReviewQueue {
    private final KeyedWork work;
    private final CsrTracing tracing;

    ReviewQueue(ApproverConfig config, MeterRegistry registry, CsrTracing tracing) {
        this.tracing = tracing;
        this.work = new KeyedWork("csrflow.approver.reviews", config.approver().parallelism(),
                config.approver().maxQueued(), registry);
    }

    /** A record, acknowledged once handled (see {@link KeyedWork#submit(Message, KeyedWork.RecordHandler)}). */
    public CompletionStage<Void> submit(Message<byte[]> message, KeyedWork.RecordHandler handler) {
        return work.submit(message, handler);
    }

    /** Another review of CSR {@code name} that no record stands for (a retry). */
    public void retry(String name, String uid, Runnable review) {
        // A retry belongs to the CSR's trace, under its root: the span that scheduled it has ended.
        work.submit(name, () -> tracing.run("approver-service review (retry)", SpanKind.INTERNAL,
                CsrTrace.rootOf(uid), name, review));
    }

    @PreDestroy
    void stop() {
        work.close();
    }
}
