package io.csrflow.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

class EventCodecTest {
    private final EventCodec codec = new EventCodec("/csrflow/test", Clock.fixed(SampleEvents.T, ZoneOffset.UTC));

    static Stream<Arguments> everyType() {
        return SampleEvents.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyType")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyTypeRoundTripsThroughAKafkaRecord(EventType type, Object payload) {
        EncodedEvent encoded = codec.encode(type, payload);
        ProducerRecord<String, byte[]> record = encoded.toProducerRecord(type.defaultTopic());

        CloudEvent<?> decoded = EventCodec.decode(type, record.headers(), record.value());

        assertEquals(payload, decoded.data());
        assertEquals(type.type(), decoded.type());
        assertEquals(type.keyOf(payload), record.key());
        assertEquals(record.key(), decoded.subject());
        assertEquals("/csrflow/test", decoded.source());
        assertEquals(SampleEvents.T, decoded.time());
    }

    @Test
    void identityKeyParsesBack() {
        assertEquals(SampleEvents.KUBELET, Identity.parse(SampleEvents.KUBELET.key()));
        assertEquals("kubernetes.io/kube-apiserver-client-kubelet|system:node:worker-1", SampleEvents.KUBELET.key());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.put("addedInV2", "x");
        ((ObjectNode) json.get("requester")).putObject("nested").put("deep", 1);
        ((ObjectNode) json.get("conditions").get(0)).put("observedGeneration", 3);

        CloudEvent<CsrObserved> decoded = EventCodec.decode(EventType.CSR_OBSERVED, encoded.headers(),
                EventCodec.mapper().writeValueAsBytes(json));

        assertEquals(SampleEvents.observed(), decoded.data());
    }

    @Test
    void bodyThatIsNotJsonIsAClearError() {
        EncodedEvent encoded = codec.encode(EventType.CERT_ISSUED, SampleEvents.issued());
        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.CERT_ISSUED, encoded.headers(), "{not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("io.csrflow.cert.issued.v1: payload is not valid JSON"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"name", "uid", "resourceVersion", "signerName", "phase", "observedAt"})
    void missingRequiredFieldIsNamed(String field) throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.remove(field);

        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.CSR_OBSERVED, encoded.headers(), EventCodec.mapper().writeValueAsBytes(json)));

        assertEquals("io.csrflow.csr.observed.v1: missing required field '" + field + "'", e.getMessage());
    }

    @Test
    void wrongTypeOfValueNamesThePath() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.RENEWAL_DUE, SampleEvents.renewalDue());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.put("reason", "BORED");
        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.RENEWAL_DUE, encoded.headers(), EventCodec.mapper().writeValueAsBytes(json)));
        assertTrue(e.getMessage().contains("reason"), e.getMessage());
    }

    @Test
    void recordOfAnotherTypeIsRejected() {
        EncodedEvent encoded = codec.encode(EventType.CERT_ISSUED, SampleEvents.issued());
        EventFormatException e = assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_OBSERVED, encoded.headers(), encoded.value()));
        assertTrue(e.getMessage().contains("ce_type 'io.csrflow.cert.issued.v1'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"ce_specversion", "ce_id", "ce_source", "ce_type"})
    void missingCloudEventsHeaderIsNamed(String header) {
        EncodedEvent encoded = codec.encode(EventType.CSR_DECISION, SampleEvents.decision());
        Map<String, String> headers = new HashMap<>(encoded.headers());
        headers.remove(header);
        EventFormatException e = assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_DECISION, headers, encoded.value()));
        assertTrue(e.getMessage().endsWith("missing CloudEvents header " + header), e.getMessage());
    }

    @Test
    void emptyOrNullPayloadIsRejected() {
        EncodedEvent encoded = codec.encode(EventType.CSR_DECISION, SampleEvents.decision());
        assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_DECISION, encoded.headers(), new byte[0]));
        assertThrows(EventFormatException.class, () -> EventCodec.decode(EventType.CSR_DECISION, encoded.headers(),
                "null".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "{0} certificate={1} -> {2}")
    @CsvSource({
        "'', false, PENDING",
        "Approved, false, APPROVED",
        "Approved, true, ISSUED",
        "Denied, false, DENIED",
        "Approved+Failed, false, FAILED",
        "Approved:False, false, PENDING",
    })
    void phaseIsDerivedFromConditionsAndCertificate(String conditions, boolean certificate, CsrPhase expected) {
        List<CsrCondition> list = Stream.of(conditions.split("\\+")).filter(s -> !s.isEmpty()).map(s -> {
            String[] parts = s.split(":");
            return new CsrCondition(parts[0], parts.length > 1 ? parts[1] : "True", null, null, null, null);
        }).toList();
        assertEquals(expected, CsrPhase.of(list, certificate ? "PEM" : null));
    }
}
