package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

class CsrTraceTest {
    private static final String UID = "0f9a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
    private final Tracer tracer = SdkTracerProvider.builder().build().get("test");

    private static RecordHeaders withTraceparent(String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static String traceparent(RecordHeaders headers) {
        return new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8);
    }

    @Test
    void aCsrsTraceIdFollowsFromItsUidAlone() {
        assertEquals(CsrTrace.traceId(UID), CsrTrace.traceId(UID));
        assertTrue(CsrTrace.traceId(UID).matches("[0-9a-f]{32}"));
        assertNotEquals(CsrTrace.traceId(UID), CsrTrace.traceId(UID.replace('0', '1')));
        assertEquals(CsrTrace.traceId(UID), Span.fromContext(CsrTrace.rootOf(UID)).getSpanContext().getTraceId());
    }

    @Test
    void aSpanUnderTheCsrsHeaderIsAChildOfTheSpanThatSentIt() {
        RecordHeaders incoming = withTraceparent("00-" + CsrTrace.traceId(UID) + "-00f067aa0ba902b7-01");
        RecordHeaders outgoing = new RecordHeaders();
        CsrTrace.run(tracer, "test", SpanKind.CONSUMER, CsrTrace.parentOf(incoming, UID), "csr-1",
                () -> CsrTrace.injectCurrent(outgoing));
        String written = traceparent(outgoing);
        assertTrue(written.startsWith("00-" + CsrTrace.traceId(UID) + "-"), written);
        assertNotEquals("00f067aa0ba902b7", written.substring(36, 52), "a new span, not the sender's");
    }

    @Test
    void aMissingForeignOrBrokenHeaderFallsBackToTheCsrsRoot() {
        for (RecordHeaders headers : new RecordHeaders[] {new RecordHeaders(),
            withTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), withTraceparent("garbage")}) {
            assertEquals(CsrTrace.traceId(UID),
                    Span.fromContext(CsrTrace.parentOf(headers, UID)).getSpanContext().getTraceId());
        }
    }

    @Test
    void withoutAnSdkTheHeaderStillCarriesTheCsrsTrace() {
        Tracer noop = io.opentelemetry.api.OpenTelemetry.noop().getTracer("off");
        RecordHeaders outgoing = new RecordHeaders();
        CsrTrace.run(noop, "test", SpanKind.PRODUCER, CsrTrace.rootOf(UID), "csr-1", () -> CsrTrace.injectCurrent(outgoing));
        assertTrue(traceparent(outgoing).startsWith("00-" + CsrTrace.traceId(UID) + "-"), traceparent(outgoing));
    }

    @Test
    void aFailureIsRecordedAndRethrown() {
        IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () ->
                CsrTrace.run(tracer, "test", SpanKind.INTERNAL, CsrTrace.rootOf(UID), "csr-1", () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", thrown.getMessage());
    }
}
