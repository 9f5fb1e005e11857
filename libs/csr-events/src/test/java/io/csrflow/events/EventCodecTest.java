package io.csrflow.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** cert.issued and cert.renewal-due of a node certificate exactly as the codec wrote them before workload identities. */
    static final String NODE_ISSUED_BEFORE_WORKLOADS = """
            {"identity":{"signerName":"kubernetes.io/kube-apiserver-client-kubelet","commonName":"system:node:worker-1"},\
            "csrName":"csr-abc","csrUid":"uid-1","subject":"O=system:nodes,CN=system:node:worker-1",\
            "dnsNames":["worker-1"],"ipAddresses":["10.0.0.1"],"serial":"0a1b2c","notBefore":"2026-11-28T10:00:00Z",\
            "notAfter":"2026-11-28T11:00:00Z","sha256Fingerprint":"ff00","issuer":"CN=kubernetes",\
            "certificate":"-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----\\n",\
            "issuedAt":"2026-11-28T10:00:00Z"}""";
    static final String NODE_RENEWAL_DUE_BEFORE_WORKLOADS = """
            {"identity":{"signerName":"kubernetes.io/kube-apiserver-client-kubelet","commonName":"system:node:worker-1"},\
            "nodeName":"worker-1","serial":"0a1b2c","notBefore":"2026-11-28T10:00:00Z","notAfter":"2026-11-28T11:00:00Z",\
            "deadline":"2026-11-28T10:46:40Z","reason":"OVERDUE","notice":2,"emittedAt":"2026-11-28T10:48:20Z"}""";

    @Test
    void nodeCertificateEventsEncodeByteForByteAsBeforeWorkloadIdentities() {
        EncodedEvent issued = codec.encode(EventType.CERT_ISSUED, SampleEvents.issued());
        EncodedEvent due = codec.encode(EventType.RENEWAL_DUE, SampleEvents.renewalDue());

        assertEquals(NODE_ISSUED_BEFORE_WORKLOADS, new String(issued.value(), StandardCharsets.UTF_8));
        assertEquals(NODE_RENEWAL_DUE_BEFORE_WORKLOADS, new String(due.value(), StandardCharsets.UTF_8));
        assertEquals("kubernetes.io/kube-apiserver-client-kubelet|system:node:worker-1", issued.key());
        assertEquals(issued.key(), issued.headers().get(EventCodec.H_SUBJECT));
        assertEquals(SampleEvents.issued(), EventCodec.decode(EventType.CERT_ISSUED, issued.headers(),
                NODE_ISSUED_BEFORE_WORKLOADS.getBytes(StandardCharsets.UTF_8)).data());
    }

    @Test
    void workloadIdentitiesRoundTripWithNamespaceAndServiceAccount() {
        EncodedEvent issued = codec.encode(EventType.CERT_ISSUED, SampleEvents.workloadIssued(SampleEvents.WORKLOAD));
        EncodedEvent due = codec.encode(EventType.RENEWAL_DUE, SampleEvents.workloadRenewalDue(SampleEvents.WORKLOAD));

        CertIssued decoded = EventCodec.decode(EventType.CERT_ISSUED, issued.headers(), issued.value()).data();
        RenewalDue decodedDue = EventCodec.decode(EventType.RENEWAL_DUE, due.headers(), due.value()).data();

        assertEquals(SampleEvents.workloadIssued(SampleEvents.WORKLOAD), decoded);
        assertEquals(SampleEvents.workloadRenewalDue(SampleEvents.WORKLOAD), decodedDue);
        assertEquals("my-namespace", decoded.identity().namespace());
        assertEquals("default", decodedDue.identity().serviceAccount());
        String key = "csrflow.io/workload-serving@my-namespace/default|my-pod.my-namespace.pod.cluster.local";
        assertEquals(key, issued.key());
        assertEquals(key, due.key());
        assertEquals(key, decoded.identity().key());
        assertTrue(new String(issued.value(), StandardCharsets.UTF_8).startsWith("{\"identity\":{\"signerName\":"
                + "\"csrflow.io/workload-serving\",\"commonName\":\"my-pod.my-namespace.pod.cluster.local\","
                + "\"namespace\":\"my-namespace\",\"serviceAccount\":\"default\"},"));
    }

    @Test
    void theSameNameInTwoNamespacesTravelsUnderTwoKeys() {
        Identity other = Identity.workload("csrflow.io/workload-serving", "other-namespace", "default",
                SampleEvents.WORKLOAD.commonName());
        EncodedEvent a = codec.encode(EventType.CERT_ISSUED, SampleEvents.workloadIssued(SampleEvents.WORKLOAD));
        EncodedEvent b = codec.encode(EventType.CERT_ISSUED, SampleEvents.workloadIssued(other));
        assertFalse(a.key().equals(b.key()), a.key());
        assertEquals(other, EventCodec.decode(EventType.CERT_ISSUED, b.headers(), b.value()).data().identity());
    }

    /** Identity as consumers built against the contract before workload identities compiled it. */
    record IdentityBeforeWorkloads(String signerName, String commonName) {
    }

    record CertIssuedBeforeWorkloads(IdentityBeforeWorkloads identity, String csrName, String serial) {
    }

    @Test
    void readersOlderThanWorkloadIdentitiesReadAWorkloadEventAsSignerAndName() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CERT_ISSUED, SampleEvents.workloadIssued(SampleEvents.WORKLOAD));

        CertIssuedBeforeWorkloads old = EventCodec.mapper().readValue(encoded.value(), CertIssuedBeforeWorkloads.class);

        assertEquals(new IdentityBeforeWorkloads("csrflow.io/workload-serving", "my-pod.my-namespace.pod.cluster.local"),
                old.identity());
    }

    @Test
    void aWorkloadIdentityWithHalfItsFieldsIsAClearError() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CERT_ISSUED, SampleEvents.workloadIssued(SampleEvents.WORKLOAD));
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        ((ObjectNode) json.get("identity")).remove("serviceAccount");

        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.CERT_ISSUED, encoded.headers(), EventCodec.mapper().writeValueAsBytes(json)));

        assertTrue(e.getMessage().contains("a workload identity has both a namespace and a service account"),
                e.getMessage());
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
    void aCleanedCsrRoundTripsWithItsDeletionReason() {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.cleaned());

        CsrObserved decoded = EventCodec.decode(EventType.CSR_OBSERVED, encoded.headers(), encoded.value()).data();

        assertEquals(SampleEvents.cleaned(), decoded);
        assertEquals(CsrPhase.DELETED, decoded.phase());
        assertEquals(CsrDeletionReason.ISSUED_PAST_DEADLINE, decoded.deletedBecause());
        assertTrue(new String(encoded.value(), StandardCharsets.UTF_8)
                .contains("\"deletedBecause\":\"IssuedPastDeadline\""));
    }

    @Test
    void snapshotsAnnounceTheirPhaseInAHeaderAndOtherEventsDoNot() {
        ProducerRecord<String, byte[]> issued = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed())
                .toProducerRecord(Topics.OBSERVED);
        assertEquals(SampleEvents.observed().phase().wireName(),
                new String(issued.headers().lastHeader(EventCodec.H_PHASE).value(), StandardCharsets.UTF_8));
        PodCertificateObserved pod = SampleEvents.podCertificateIssued();
        assertEquals(pod.phase().wireName(),
                codec.encode(EventType.POD_CERTIFICATE_OBSERVED, pod).headers().get(EventCodec.H_PHASE));
        assertFalse(codec.encode(EventType.CERT_ISSUED, SampleEvents.issued()).headers()
                .containsKey(EventCodec.H_PHASE));
        assertFalse(codec.encode(EventType.CSR_DECISION, SampleEvents.decision()).headers()
                .containsKey(EventCodec.H_PHASE));
    }

    @Test
    void aConsumerMayPassByASnapshotOfAnotherPhaseButNotOneThatSaysNothing() {
        String phase = SampleEvents.observed().phase().wireName();
        ProducerRecord<String, byte[]> record = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed())
                .toProducerRecord(Topics.OBSERVED);

        assertTrue(EventCodec.announcesNoneOf(record.headers(), "Pending"));
        assertTrue(EventCodec.announcesNoneOf(record.headers()));
        assertFalse(EventCodec.announcesNoneOf(record.headers(), "Pending", phase));

        record.headers().remove(EventCodec.H_PHASE);
        assertFalse(EventCodec.announcesNoneOf(record.headers(), "Pending"), "an older producer's record is decoded");
    }

    @Test
    void twoPhaseHeadersOrAnEmptyOneSayNothingToThoseWhoPassByAndAreMalformedToThoseWhoDecode() {
        for (byte[] second : new byte[][] {"Issued".getBytes(StandardCharsets.UTF_8), null}) {
            ProducerRecord<String, byte[]> record = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed())
                    .toProducerRecord(Topics.OBSERVED);
            record.headers().add(EventCodec.H_PHASE, second);

            assertFalse(EventCodec.announcesNoneOf(record.headers(), "Pending"));
            EventFormatException e = assertThrows(EventFormatException.class,
                    () -> EventCodec.decode(EventType.CSR_OBSERVED, record.headers(), record.value()));
            assertEquals("io.csrflow.csr.observed.v1: ce_phase must be one header with a value", e.getMessage());
        }
    }

    @Test
    void aPhaseHeaderThatContradictsTheSnapshotInAKafkaRecordIsMalformed() {
        ProducerRecord<String, byte[]> record = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed())
                .toProducerRecord(Topics.OBSERVED);
        record.headers().remove(EventCodec.H_PHASE);
        record.headers().add(EventCodec.H_PHASE, "Pending".getBytes(StandardCharsets.UTF_8));

        assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_OBSERVED, record.headers(), record.value()));
    }

    @Test
    void aPhaseHeaderThatContradictsTheSnapshotIsMalformed() {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed());
        Map<String, String> headers = new HashMap<>(encoded.headers());
        headers.put(EventCodec.H_PHASE, "Pending");

        EventFormatException e = assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_OBSERVED, headers, encoded.value()));
        assertEquals("io.csrflow.csr.observed.v1: ce_phase 'Pending' but the snapshot's phase is '"
                + SampleEvents.observed().phase().wireName() + "'", e.getMessage());
    }

    @Test
    void aSnapshotWithoutADeletionReasonWritesNoSuchField() {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed());
        assertFalse(new String(encoded.value(), StandardCharsets.UTF_8).contains("deletedBecause"));
    }

    /** A Deleted snapshot exactly as the codec wrote it before deletion reasons existed (checked against that version). */
    static final String BEFORE_DELETION_REASONS = """
            {"name":"csr-abc","uid":"uid-1","resourceVersion":"43","signerName":"kubernetes.io/kubelet-serving",\
            "usages":["digital signature","server auth"],"expirationSeconds":86400,\
            "requester":{"username":"system:node:worker-1","groups":["system:nodes"],"extra":{}},\
            "conditions":[{"type":"Approved","status":"True","reason":"AutoApproved",\
            "lastUpdateTime":"2026-11-28T10:00:00Z","lastTransitionTime":"2026-11-28T10:00:00Z"}],\
            "certificate":"-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----\\n","phase":"Deleted",\
            "createdAt":"2026-11-28T09:59:00Z","observedAt":"2026-11-28T11:00:01Z"}""";

    @Test
    void eventsOfProducersOlderThanTheDeletionReasonStillDecode() {
        // Those producers wrote no ce_phase either.
        Map<String, String> headers = new HashMap<>(codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed())
                .headers());
        headers.remove(EventCodec.H_PHASE);

        CsrObserved decoded = EventCodec.decode(EventType.CSR_OBSERVED, headers,
                BEFORE_DELETION_REASONS.getBytes(StandardCharsets.UTF_8)).data();

        assertEquals(CsrPhase.DELETED, decoded.phase());
        assertEquals(null, decoded.deletedBecause(), "deleted, reason not said");
        assertEquals("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", decoded.certificate());
    }

    /** The record as consumers built against the contract before the field compiled it. */
    record CsrObservedBeforeDeletionReasons(String name, String uid, String resourceVersion, String signerName,
            String request, List<String> usages, Integer expirationSeconds, Requester requester,
            List<CsrCondition> conditions, String certificate, CsrPhase phase, java.time.Instant createdAt,
            java.time.Instant observedAt) {
    }

    @Test
    void readersOlderThanTheDeletionReasonReadACleanedCsrAsDeleted() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.cleaned());

        CsrObservedBeforeDeletionReasons old = EventCodec.mapper().readValue(encoded.value(),
                CsrObservedBeforeDeletionReasons.class);

        assertEquals(CsrPhase.DELETED, old.phase());
        assertEquals(SampleEvents.cleaned().certificate(), old.certificate());
    }

    @Test
    void aDeletionReasonThisReaderDoesNotKnowReadsAsUnknown() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.CSR_OBSERVED, SampleEvents.cleaned());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.put("deletedBecause", "AddedInALaterVersion");

        CsrObserved decoded = EventCodec.decode(EventType.CSR_OBSERVED, encoded.headers(),
                EventCodec.mapper().writeValueAsBytes(json)).data();

        assertEquals(CsrDeletionReason.UNKNOWN, decoded.deletedBecause());
        assertEquals(CsrPhase.DELETED, decoded.phase());
    }

    @Test
    void onlyADeletionHasAReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SampleEvents.observed().withDeletedBecause(CsrDeletionReason.CERTIFICATE_EXPIRED));
        assertEquals("CSR csr-abc is Issued, not Deleted: only a deletion has a reason", e.getMessage());
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

    @Test
    void aPodCertificateRequestTravelsUnderNamespaceAndNameWithItsBase64FieldsAsTheApiHasThem() {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());

        assertEquals("my-namespace/my-pod-a1b2c", encoded.key());
        assertEquals(encoded.key(), encoded.headers().get(EventCodec.H_SUBJECT));
        assertEquals(Topics.POD_CERTIFICATES_OBSERVED, EventType.POD_CERTIFICATE_OBSERVED.defaultTopic());
        String json = new String(encoded.value(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"pkixPublicKey\":\"MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\""),
                json);
        assertTrue(json.contains("\"beginRefreshAt\":\"2026-11-28T22:00:00Z\""), json);
        assertTrue(json.contains("\"phase\":\"Issued\""), json);
    }

    @Test
    void aPendingPodCertificateRequestWritesNoStatusFields() {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificatePending());
        String json = new String(encoded.value(), StandardCharsets.UTF_8);

        for (String absent : List.of("certificateChain", "notBefore", "beginRefreshAt", "notAfter")) {
            assertFalse(json.contains(absent), absent + " in " + json);
        }
        PodCertificateObserved decoded = EventCodec.decode(EventType.POD_CERTIFICATE_OBSERVED, encoded.headers(),
                encoded.value()).data();
        assertEquals(SampleEvents.podCertificatePending(), decoded);
        assertEquals(List.of(), decoded.conditions());
    }

    @Test
    void podCertificateFieldsAddedLaterAreIgnored() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.put("addedInV2", "x");
        ((ObjectNode) json.get("conditions").get(0)).put("observedGeneration", 1);

        PodCertificateObserved decoded = EventCodec.decode(EventType.POD_CERTIFICATE_OBSERVED, encoded.headers(),
                EventCodec.mapper().writeValueAsBytes(json)).data();

        assertEquals(SampleEvents.podCertificateIssued(), decoded);
    }

    /** A consumer that took only the fields it needs (a signer's view), or was built before later fields existed. */
    record PodCertificateAsASignerReadsIt(String namespace, String name, String uid, String signerName,
            String pkixPublicKey, PodCertificatePhase phase) {
    }

    @Test
    void aReaderOfSomeOfTheFieldsReadsAPodCertificateRequest() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());

        PodCertificateAsASignerReadsIt read = EventCodec.mapper().readValue(encoded.value(),
                PodCertificateAsASignerReadsIt.class);

        assertEquals(new PodCertificateAsASignerReadsIt("my-namespace", "my-pod-a1b2c", "uid-3",
                "csrflow.io/workload-serving", SampleEvents.podCertificateIssued().pkixPublicKey(),
                PodCertificatePhase.ISSUED), read);
    }

    @Test
    void aPodCertificateRecordOnTheCsrTopicIsRejectedNotMisread() {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());
        EventFormatException e = assertThrows(EventFormatException.class,
                () -> EventCodec.decode(EventType.CSR_OBSERVED, encoded.headers(), encoded.value()));
        assertTrue(e.getMessage().contains("ce_type 'io.csrflow.pcr.observed.v1'"), e.getMessage());
    }

    @Test
    void csrEventsAreUnchangedByThePodCertificateType() {
        EncodedEvent headersOnly = codec.encode(EventType.CSR_OBSERVED, SampleEvents.observed());
        assertEquals(SampleEvents.observed(), EventCodec.decode(EventType.CSR_OBSERVED, headersOnly.headers(),
                headersOnly.value()).data());
        assertEquals(List.of("csrflow.csr.observed", "csrflow.csr.decisions", "csrflow.cert.issued",
                "csrflow.cert.renewal-due", "csrflow.pcr.observed"),
                EventType.ALL.stream().map(EventType::defaultTopic).toList());
    }

    @ParameterizedTest
    @CsvSource({"namespace", "name", "uid", "resourceVersion", "signerName", "podName", "serviceAccountName",
        "nodeName", "phase", "observedAt"})
    void missingRequiredPodCertificateFieldIsNamed(String field) throws Exception {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.remove(field);

        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.POD_CERTIFICATE_OBSERVED, encoded.headers(), EventCodec.mapper().writeValueAsBytes(json)));

        assertEquals("io.csrflow.pcr.observed.v1: missing required field '" + field + "'", e.getMessage());
    }

    @Test
    void aPodCertificatePhaseThisReaderDoesNotKnowIsAClearError() throws Exception {
        EncodedEvent encoded = codec.encode(EventType.POD_CERTIFICATE_OBSERVED, SampleEvents.podCertificateIssued());
        ObjectNode json = (ObjectNode) EventCodec.mapper().readTree(encoded.value());
        json.put("phase", "Revoked");

        EventFormatException e = assertThrows(EventFormatException.class, () -> EventCodec.decode(
                EventType.POD_CERTIFICATE_OBSERVED, encoded.headers(), EventCodec.mapper().writeValueAsBytes(json)));

        assertTrue(e.getMessage().contains("phase"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "'', PENDING",
        "Issued, ISSUED",
        "Denied, DENIED",
        "Failed, FAILED",
        "Issued:False, PENDING",
        "SomethingElse, PENDING",
        "SomethingElse+Denied, DENIED",
    })
    void podCertificatePhaseIsTheTrueTerminalCondition(String conditions, PodCertificatePhase expected) {
        List<PodCertificateCondition> list = Stream.of(conditions.split("\\+")).filter(c -> !c.isEmpty()).map(c -> {
            String[] parts = c.split(":");
            return new PodCertificateCondition(parts[0], parts.length > 1 ? parts[1] : "True", null, null, null);
        }).toList();
        assertEquals(expected, PodCertificatePhase.of(list));
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
