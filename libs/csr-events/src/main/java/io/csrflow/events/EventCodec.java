package io.csrflow.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents 1.0 binary mode over Kafka: context attributes in {@code ce_*} headers, the payload
 * as JSON in the record value, key = CloudEvents subject. Unknown JSON fields are ignored so that
 * older consumers read newer producers' events. Snapshots ({@code csr.observed}, {@code pcr.observed})
 * also carry their object's phase as the extension attribute {@code phase} ({@code ce_phase}): most
 * consumers act on one or two phases of each object's several snapshots, and reading a header is much
 * cheaper than decoding a whole snapshot only to drop it.
 */
public final class EventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
    public static final String H_SPEC_VERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_CONTENT_TYPE = "content-type";
    /** CloudEvents extension attribute {@code phase}: a snapshot's phase, as its payload's {@code phase} field. */
    public static final String H_PHASE = "ce_phase";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final String source;
    private final Clock clock;

    /**
     * @param source CloudEvents {@code source} of the events this codec encodes, e.g.
     *               {@code /csrflow/csr-watcher}
     */
    public EventCodec(String source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /** The mapper every csrflow component uses for event payloads. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public <T> EncodedEvent encode(EventType<T> type, T payload) {
        return encode(type, payload, UUID.randomUUID().toString());
    }

    /**
     * Encodes with a chosen {@code ce_id}: a producer that may send the same fact again (a retried
     * transaction) gives it the same id, so that consumers can drop the repeat by source + id as
     * CloudEvents intends.
     */
    public <T> EncodedEvent encode(EventType<T> type, T payload, String id) {
        String key = type.keyOf(payload);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(H_SPEC_VERSION, SPEC_VERSION);
        headers.put(H_ID, id);
        headers.put(H_SOURCE, source);
        headers.put(H_TYPE, type.type());
        headers.put(H_SUBJECT, key);
        headers.put(H_TIME, clock.instant().toString());
        headers.put(H_CONTENT_TYPE, CONTENT_TYPE);
        if (type.announcesPhase()) {
            headers.put(H_PHASE, type.phaseOf(payload));
        }
        try {
            return new EncodedEvent(key, Collections.unmodifiableMap(headers), MAPPER.writeValueAsBytes(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + type + " payload", e);
        }
    }

    /** Decodes a record; throws {@link EventFormatException} saying exactly what is wrong. */
    public static <T> CloudEvent<T> decode(EventType<T> type, Headers headers, byte[] value) {
        return decode(type, headerMap(type, headers), value);
    }

    /** The one {@code ce_phase} header's value; null if there is none, or more than one, or it has no value. */
    private static String phaseHeader(Headers headers) {
        if (headers == null) {
            return null;
        }
        String phase = null;
        int count = 0;
        for (Header header : headers.headers(H_PHASE)) {
            count++;
            phase = header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
        return count == 1 ? phase : null;
    }

    public static <T> CloudEvent<T> decode(EventType<T> type, Map<String, String> headers, byte[] value) {
        String specVersion = requiredHeader(type, headers, H_SPEC_VERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new EventFormatException(type + ": unsupported CloudEvents specversion '" + specVersion + "'");
        }
        String actualType = requiredHeader(type, headers, H_TYPE);
        if (!type.type().equals(actualType)) {
            throw new EventFormatException("expected event type " + type + " but the record has ce_type '"
                    + actualType + "'");
        }
        String contentType = headers.get(H_CONTENT_TYPE);
        if (contentType != null && !contentType.startsWith(CONTENT_TYPE)) {
            throw new EventFormatException(type + ": unsupported content-type '" + contentType + "'");
        }
        Instant time = parseTime(type, headers.get(H_TIME));
        T payload = decodePayload(type, value);
        String announced = headers.get(H_PHASE);
        // Consumers pass records by on this header alone, so one that disagrees with its payload would
        // be acted on by some and missed by others: it is malformed.
        if (announced != null && type.announcesPhase() && !announced.equals(type.phaseOf(payload))) {
            throw new EventFormatException(type + ": ce_phase '" + announced + "' but the snapshot's phase is '"
                    + type.phaseOf(payload) + "'");
        }
        return new CloudEvent<>(requiredHeader(type, headers, H_ID), requiredHeader(type, headers, H_SOURCE),
                actualType, headers.get(H_SUBJECT), time, payload);
    }

    /**
     * Whether a record says, in its {@code ce_phase} header, that it is a snapshot in none of
     * {@code wanted}: a consumer may then pass it by without decoding it. A record without the header
     * (from a producer older than it), or with more than one or an empty one, says nothing and must be
     * decoded (where {@link #decode} refuses the latter two). A consumer that passes a record by does
     * not check it either: a malformed record announcing another phase is left to those that act on
     * it. Like the rest of an event the header is a hint: what a consumer does with a snapshot it acts
     * on is still decided by the API's object.
     */
    public static boolean announcesNoneOf(Headers headers, String... wanted) {
        String phase = phaseHeader(headers);
        if (phase == null) {
            return false;
        }
        for (String w : wanted) {
            if (w.equals(phase)) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a JSON payload alone (structured input such as files or HTTP bodies). */
    public static <T> T decodePayload(EventType<T> type, byte[] value) {
        if (value == null || value.length == 0) {
            throw new EventFormatException(type + ": empty payload");
        }
        try {
            T payload = MAPPER.readValue(value, type.payloadClass());
            if (payload == null) {
                throw new EventFormatException(type + ": payload is JSON null");
            }
            return payload;
        } catch (JsonMappingException e) {
            throw new EventFormatException(type + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new EventFormatException(type + ": payload is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EventFormatException(type + ": payload cannot be read: " + e.getMessage(), e);
        }
    }

    private static String describe(JsonMappingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MissingFieldException missing) {
                return missing.getMessage();
            }
        }
        String path = e.getPathReference();
        return "invalid payload at " + (path == null ? "root" : path) + ": " + e.getOriginalMessage();
    }

    private static Instant parseTime(EventType<?> type, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new EventFormatException(type + ": ce_time '" + value + "' is not an RFC 3339 instant", e);
        }
    }

    private static String requiredHeader(EventType<?> type, Map<String, String> headers, String name) {
        String value = headers.get(name);
        if (value == null || value.isBlank()) {
            throw new EventFormatException(type + ": missing CloudEvents header " + name);
        }
        return value;
    }

    /**
     * The record's headers by name. A {@code ce_phase} header must be one with a value: what a consumer
     * passing records by reads ({@link #phaseHeader}) and what is decoded must be the same header.
     */
    private static Map<String, String> headerMap(EventType<?> type, Headers headers) {
        Map<String, String> map = new LinkedHashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                boolean phase = H_PHASE.equals(header.key());
                if (phase && (header.value() == null || map.containsKey(H_PHASE))) {
                    throw new EventFormatException(type + ": " + H_PHASE + " must be one header with a value");
                }
                if (header.value() != null) {
                    map.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return map;
    }
}
