package io.csrflow.service;

import java.util.function.Supplier;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Runs work about a CSR within its trace (see {@link CsrTrace}): in a span of its own when spans are
 * exported, else directly under the parent context. Without export a span would be built, timed and
 * dropped for every record in every service (a few per cent of the scheduler's CPU), and the
 * {@code traceparent} a record carries on still names the CSR's trace, with the span that caused it.
 */
public final class CsrTracing {
    private static final CsrTracing OFF = new CsrTracing(null);

    /** Null when spans are not exported. */
    private final Tracer tracer;

    private CsrTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** No spans: work runs under its parent context, which headers written within it carry on. */
    public static CsrTracing off() {
        return OFF;
    }

    /**
     * Spans made with csrflow's tracer, taken from the {@code OpenTelemetry} bean rather than Quarkus'
     * injectable {@code Tracer}, which goes through {@code GlobalOpenTelemetry}: used by a consumer
     * before the SDK bean exists (records waiting at startup), that installs a no-op global and the
     * SDK then fails to start.
     */
    public static CsrTracing exportedBy(OpenTelemetry openTelemetry) {
        return new CsrTracing(openTelemetry.getTracer("io.csrflow"));
    }

    /** Whether spans are made (and so exported): a span that only ends a trace is made only then. */
    public boolean exported() {
        return tracer != null;
    }

    /**
     * Runs {@code work} under {@code parent} with the CSR's name in the logging context, in a span
     * named {@code name} if spans are exported; failures are recorded on the span and rethrown.
     */
    public <T> T call(String name, SpanKind kind, Context parent, String csrName, Supplier<T> work) {
        if (tracer == null) {
            // The parent's span over whatever else is current, as a span of its own would be.
            try (Scope ignored = Context.current().with(Span.fromContext(parent)).makeCurrent()) {
                return CsrLogContext.call(csrName, work);
            }
        }
        Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(kind)
                .setAttribute("csrflow.csr.name", csrName).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return CsrLogContext.call(csrName, work);
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getMessage() == null ? e.getClass().getName() : e.getMessage());
            throw e;
        } finally {
            span.end();
        }
    }

    public void run(String name, SpanKind kind, Context parent, String csrName, Runnable work) {
        call(name, kind, parent, csrName, () -> {
            work.run();
            return null;
        });
    }
}
