package io.csrflow.signer;

import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;

import io.csrflow.service.KeyedWork;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The signer's work on CSRs, many at once and each CSR's in turn: an approval from
 * {@code csr.decisions} and the same approval seen on {@code csr.observed} share one per-CSR queue, so
 * the second finds the first's certificate instead of signing beside it.
 */
@ApplicationScoped
public class SigningQueue {
    private final KeyedWork work;

    SigningQueue(SignerConfig config, MeterRegistry registry) {
        this.work = new KeyedWork("csrflow.signer.signings", config.signer().parallelism(),
                config.signer().maxQueued(), registry);
    }

    /** A record, acknowledged once handled (see {@link KeyedWork#submit(Message, KeyedWork.RecordHandler)}). */
    public CompletionStage<Void> submit(Message<byte[]> message, KeyedWork.RecordHandler handler) {
        return work.submit(message, handler);
    }

    @PreDestroy
    void stop() {
        work.close();
    }
}
