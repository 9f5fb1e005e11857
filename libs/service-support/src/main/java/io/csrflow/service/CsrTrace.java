package io.csrflow.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * One trace per CSR, across every service. A CSR's path crosses Kafka (where the W3C
 * {@code traceparent} header carries the context) and the Kubernetes API (approval, then the
 * watcher sees the CSR again, where no header can travel). So the trace id is derived from the
 * CSR's uid: whichever service meets the CSR first, and every later observation of it, lands in
 * the same trace without any coordination. Headers still carry the span that caused the record,
 * so spans nest where Kafka connects them. Work runs in its spans through {@link CsrTracing}.
 *
 * <p>The W3C propagator is used directly rather than the SDK's configured one: the
 * {@code traceparent} header is part of the event contract and is written even when span export
 * is off ({@code quarkus.otel.sdk.disabled=true}, the default outside a cluster).
 */
public final class CsrTrace {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private CsrTrace() {
    }

    /** The trace id of a CSR: the first 16 bytes of SHA-256("csrflow|" + uid), in hex. */
    public static String traceId(String csrUid) {
        return traceIdOf(digest(csrUid));
    }

    private static String traceIdOf(byte[] digest) {
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /** The context every span about this CSR descends from when no header says otherwise. */
    public static Context rootOf(String csrUid) {
        return rootOf(digest(csrUid));
    }

    private static Context rootOf(byte[] digest) {
        SpanContext root = SpanContext.createFromRemoteParent(traceIdOf(digest),
                HexFormat.of().formatHex(digest, 16, 24), TraceFlags.getSampled(), TraceState.getDefault());
        return Context.root().with(Span.wrap(root));
    }

    /** The context a record's {@code traceparent} names if it is of this CSR's trace, else the CSR's root. */
    public static Context parentOf(Headers headers, String csrUid) {
        Context extracted = W3C.extract(Context.root(), headers, HEADERS);
        SpanContext span = Span.fromContext(extracted).getSpanContext();
        byte[] digest = digest(csrUid);
        return span.isValid() && span.getTraceId().equals(traceIdOf(digest)) ? extracted : rootOf(digest);
    }

    /** Writes the current span as {@code traceparent} (replacing any). */
    public static void injectCurrent(Headers headers) {
        headers.remove("traceparent");
        headers.remove("tracestate");
        W3C.inject(Context.current(), headers, SETTER);
    }

    private static byte[] digest(String csrUid) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("csrflow|" + String.valueOf(csrUid)).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return () -> java.util.Arrays.stream(carrier.toArray()).map(Header::key).iterator();
        }

        @Override
        public String get(Headers carrier, String key) {
            Header header = carrier == null ? null : carrier.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> SETTER = (carrier, key, value) ->
            carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
}
