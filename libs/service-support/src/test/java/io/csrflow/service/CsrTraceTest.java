package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.Span;

class CsrTraceTest {
    static final String UID = "0f9a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

    static RecordHeaders withTraceparent(String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", value.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    @Test
    void aCsrsTraceIdFollowsFromItsUidAlone() {
        assertEquals(CsrTrace.traceId(UID), CsrTrace.traceId(UID));
        assertTrue(CsrTrace.traceId(UID).matches("[0-9a-f]{32}"));
        assertNotEquals(CsrTrace.traceId(UID), CsrTrace.traceId(UID.replace('0', '1')));
        assertEquals(CsrTrace.traceId(UID), Span.fromContext(CsrTrace.rootOf(UID)).getSpanContext().getTraceId());
    }

    @Test
    void aHeaderOfTheCsrsTraceNamesTheParent() {
        RecordHeaders headers = withTraceparent("00-" + CsrTrace.traceId(UID) + "-00f067aa0ba902b7-01");
        assertEquals("00f067aa0ba902b7", Span.fromContext(CsrTrace.parentOf(headers, UID)).getSpanContext().getSpanId());
        assertEquals(Span.fromContext(CsrTrace.rootOf(UID)).getSpanContext().getSpanId(),
                Span.fromContext(CsrTrace.parentOf(new RecordHeaders(), UID)).getSpanContext().getSpanId());
    }

    @Test
    void aMissingForeignOrBrokenHeaderFallsBackToTheCsrsRoot() {
        for (RecordHeaders headers : new RecordHeaders[] {new RecordHeaders(),
            withTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), withTraceparent("garbage")}) {
            assertEquals(CsrTrace.traceId(UID),
                    Span.fromContext(CsrTrace.parentOf(headers, UID)).getSpanContext().getTraceId());
        }
    }
}
