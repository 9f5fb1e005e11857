package io.csrflow.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The AsyncAPI document describes exactly the topics, types and fields the code produces. */
class AsyncApiDocumentTest {
    static JsonNode doc;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = EventType.class.getResourceAsStream("/META-INF/csrflow/asyncapi.yaml")) {
            assertNotNull(in, "asyncapi.yaml is packaged in the jar");
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @Test
    void isAsyncApi3() {
        assertEquals("3.0.0", doc.path("asyncapi").asText());
    }

    @Test
    void everyEventTypeHasAChannelOnItsDefaultTopicWithAMessageOfItsType() {
        Set<String> addresses = new TreeSet<>();
        doc.path("channels").forEach(c -> addresses.add(c.path("address").asText()));
        Set<String> messageNames = new TreeSet<>();
        doc.path("components").path("messages").forEach(m -> messageNames.add(m.path("name").asText()));

        assertEquals(EventType.ALL.stream().map(EventType::defaultTopic).collect(Collectors.toCollection(TreeSet::new)),
                addresses);
        assertEquals(EventType.ALL.stream().map(EventType::type).collect(Collectors.toCollection(TreeSet::new)),
                messageNames);
    }

    @Test
    void everySchemaListsExactlyTheRecordsFields() {
        for (Class<?> type : new Class<?>[] {CsrObserved.class, CsrDecision.class, CertIssued.class,
            RenewalDue.class, Requester.class, CsrCondition.class, PolicyCheck.class, Identity.class,
            PodCertificateObserved.class, PodCertificateCondition.class}) {
            JsonNode schema = doc.path("components").path("schemas").path(type.getSimpleName());
            Set<String> documented = new TreeSet<>();
            schema.path("properties").fieldNames().forEachRemaining(documented::add);
            Set<String> fields = Stream.of(type.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(fields, documented, type.getSimpleName());
            schema.path("required").forEach(r -> assertTrue(fields.contains(r.asText()), r.asText()));
        }
    }

    @Test
    void everyDeletionReasonTheWatcherCanGiveIsDocumented() {
        JsonNode field = doc.path("components").path("schemas").path("CsrObserved").path("properties")
                .path("deletedBecause");
        Set<String> documented = new TreeSet<>();
        field.path("examples").forEach(v -> documented.add(v.asText()));
        Set<String> produced = Stream.of(CsrDeletionReason.values()).filter(r -> r != CsrDeletionReason.UNKNOWN)
                .map(CsrDeletionReason::wireName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(produced, documented);
        assertTrue(documented.stream().allMatch(field.path("description").asText()::contains),
                "each value is explained");
        assertTrue(field.path("enum").isMissingNode(), "values may be added within v1: no closed enum");
        assertFalse(doc.path("components").path("schemas").path("CsrObserved").path("required").toString()
                .contains("deletedBecause"), "optional: older producers never wrote it");
    }

    @Test
    void everyExampleDecodesAndIsKeyedByItsIdentity() throws Exception {
        int examples = 0;
        for (EventType<?> type : EventType.ALL) {
            for (JsonNode message : doc.path("components").path("messages")) {
                if (!message.path("name").asText().equals(type.type())) {
                    continue;
                }
                for (JsonNode example : message.path("examples")) {
                    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
                    example.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                    byte[] payload = new ObjectMapper().writeValueAsBytes(example.path("payload"));
                    CloudEvent<?> event = EventCodec.decode(type, headers, payload);
                    assertEquals(headers.get(EventCodec.H_SUBJECT), keyOf(type, event.data()),
                            example.path("name").asText());
                    examples++;
                }
            }
        }
        assertTrue(examples >= 4, "the node, workload and pod certificate examples are there: " + examples);
    }

    @Test
    void thePodCertificateExampleIsARequestTheApiServerWouldHaveAccepted() throws Exception {
        JsonNode payload = examplesOf(EventType.POD_CERTIFICATE_OBSERVED).get(0).path("payload");
        PodCertificateObserved example = EventCodec.mapper().treeToValue(payload, PodCertificateObserved.class);

        // The API server admits a request only with a proof of possession: the key's signature over the pod's UID.
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(example.pkixPublicKey())));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(example.podUid().getBytes(StandardCharsets.UTF_8));
        assertTrue(verifier.verify(Base64.getDecoder().decode(example.proofOfPossession())));
        assertEquals(PodCertificatePhase.of(example.conditions()), example.phase());
        assertTrue(example.notBefore().isBefore(example.beginRefreshAt())
                && example.beginRefreshAt().isBefore(example.notAfter()));
    }

    @Test
    void everyPodCertificatePhaseIsDocumented() {
        Set<String> documented = new TreeSet<>();
        doc.path("components").path("schemas").path("PodCertificateObserved").path("properties").path("phase")
                .path("enum").forEach(v -> documented.add(v.asText()));
        assertEquals(Stream.of(PodCertificatePhase.values()).map(PodCertificatePhase::wireName)
                .collect(Collectors.toCollection(TreeSet::new)), documented);
    }

    private static List<JsonNode> examplesOf(EventType<?> type) {
        List<JsonNode> examples = new ArrayList<>();
        for (JsonNode message : doc.path("components").path("messages")) {
            if (message.path("name").asText().equals(type.type())) {
                message.path("examples").forEach(examples::add);
            }
        }
        assertFalse(examples.isEmpty(), type + " has an example");
        return examples;
    }

    @SuppressWarnings("unchecked")
    private static <T> String keyOf(EventType<T> type, Object payload) {
        return type.keyOf((T) payload);
    }

    @Test
    void snapshotsDocumentThePhaseHeaderTheCodecWritesAndOtherEventsDoNot() {
        EventCodec codec = new EventCodec("/x", java.time.Clock.systemUTC());
        Set<String> snapshotHeaders = new TreeSet<>();
        JsonNode schema = doc.path("components").path("schemas").path("snapshotHeaders");
        schema.path("allOf").forEach(part -> {
            JsonNode resolved = part.has("$ref")
                    ? doc.at(part.path("$ref").asText().substring(1)) : part;
            resolved.path("properties").fieldNames().forEachRemaining(snapshotHeaders::add);
        });
        assertEquals(new TreeSet<>(codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed()).headers().keySet()),
                snapshotHeaders);
        assertEquals(new TreeSet<>(codec.encode(EventType.POD_CERTIFICATE_OBSERVED,
                SampleEvents.podCertificateIssued()).headers().keySet()), snapshotHeaders);
        for (JsonNode message : doc.path("components").path("messages")) {
            EventType<?> type = EventType.ALL.stream().filter(t -> t.type().equals(message.path("name").asText()))
                    .findFirst().orElseThrow();
            assertEquals(type.announcesPhase() ? "#/components/schemas/snapshotHeaders"
                    : "#/components/schemas/cloudEventHeaders", message.path("headers").path("$ref").asText(),
                    type.type());
        }
    }

    @Test
    void headersAreTheOnesTheCodecWrites() {
        Set<String> documented = new TreeSet<>();
        doc.path("components").path("schemas").path("cloudEventHeaders").path("properties").fieldNames()
                .forEachRemaining(documented::add);
        EncodedEvent encoded = new EventCodec("/x", java.time.Clock.systemUTC())
                .encode(EventType.CERT_ISSUED, SampleEvents.issued());
        assertEquals(new TreeSet<>(encoded.headers().keySet()), documented);
    }
}
