package io.csrflow.service;

import static io.csrflow.service.CsrTraceTest.UID;
import static io.csrflow.service.CsrTraceTest.withTraceparent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

class CsrTracingTest {
    private static final String SENDER_SPAN = "00f067aa0ba902b7";

    /** An SDK whose processor keeps every ended span, as an exporter would get them. */
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
                @Override
                public void onStart(Context parentContext, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    ended.add(span.toSpanData());
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            }).build())
            .build();

    @AfterEach
    void closeSdk() {
        sdk.close();
    }

    private static String traceparent(RecordHeaders headers) {
        return new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8);
    }

    private static String forwarded(CsrTracing tracing, RecordHeaders incoming) {
        RecordHeaders outgoing = new RecordHeaders();
        tracing.run("sign", SpanKind.CONSUMER, CsrTrace.parentOf(incoming, UID), "csr-1",
                () -> CsrTrace.injectCurrent(outgoing));
        return traceparent(outgoing);
    }

    @Test
    void exportedWorkRunsInASpanThatIsAChildOfTheSender() {
        CsrTracing tracing = CsrTracing.exportedBy(sdk);
        String written = forwarded(tracing, withTraceparent("00-" + CsrTrace.traceId(UID) + "-" + SENDER_SPAN + "-01"));

        assertTrue(tracing.exported());
        assertEquals(1, ended.size());
        SpanData span = ended.get(0);
        assertEquals("sign", span.getName());
        assertEquals(SENDER_SPAN, span.getParentSpanId());
        assertEquals("csr-1", span.getAttributes().get(AttributeKey.stringKey("csrflow.csr.name")));
        assertEquals("00-" + CsrTrace.traceId(UID) + "-" + span.getSpanId() + "-01", written,
                "the record names the span that sent it");
    }

    @Test
    void withoutExportNoSpanIsMadeAndTheHeaderCarriesTheSendersSpanOn() {
        CsrTracing tracing = CsrTracing.off();

        assertFalse(tracing.exported());
        assertEquals("00-" + CsrTrace.traceId(UID) + "-" + SENDER_SPAN + "-01",
                forwarded(tracing, withTraceparent("00-" + CsrTrace.traceId(UID) + "-" + SENDER_SPAN + "-01")));
        assertTrue(forwarded(tracing, new RecordHeaders()).startsWith("00-" + CsrTrace.traceId(UID) + "-"),
                "with no header, the CSR's root");
        assertEquals(List.of(), ended);
    }

    @Test
    void theCsrsNameIsInTheLoggingContextWhileWorkRuns() {
        for (CsrTracing tracing : List.of(CsrTracing.off(), CsrTracing.exportedBy(sdk))) {
            assertEquals("csr-1", tracing.call("review", SpanKind.CONSUMER, CsrTrace.rootOf(UID), "csr-1",
                    () -> MDC.get(CsrLogContext.KEY)));
            assertNull(MDC.get(CsrLogContext.KEY));
        }
    }

    @Test
    void aFailureIsRecordedOnTheSpanAndRethrown() {
        for (CsrTracing tracing : List.of(CsrTracing.off(), CsrTracing.exportedBy(sdk))) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                    tracing.run("review", SpanKind.INTERNAL, CsrTrace.rootOf(UID), "csr-1", () -> {
                        throw new IllegalStateException("boom");
                    }));
            assertEquals("boom", thrown.getMessage());
        }
        assertEquals(1, ended.size());
        assertEquals(StatusCode.ERROR, ended.get(0).getStatus().getStatusCode());
        assertEquals("boom", ended.get(0).getStatus().getDescription());
    }

    @Test
    void spansAreMadeOnlyWhenTheSdkIsOnAndTracesAreEnabled() {
        CsrTracingProducer producer = new CsrTracingProducer();
        assertTrue(producer.csrTracing(sdk, false, true).exported());
        assertFalse(producer.csrTracing(sdk, true, true).exported(), "quarkus.otel.sdk.disabled=true");
        assertFalse(producer.csrTracing(sdk, false, false).exported(), "quarkus.otel.traces.enabled=false");
    }
}
