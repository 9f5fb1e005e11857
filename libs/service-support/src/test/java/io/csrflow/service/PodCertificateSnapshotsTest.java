package io.csrflow.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.events.MissingFieldException;
import io.csrflow.events.PodCertificateCondition;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The snapshot of a PodCertificateRequest as the API's JSON has it, read the way the informer reads it. */
class PodCertificateSnapshotsTest {
    static final Instant OBSERVED = Instant.parse("2026-11-28T10:00:05Z");

    /** kube-apiserver 1.35's JSON of an issued request (the spec as a kubelet writes it). */
    static final String ISSUED = """
            {"apiVersion":"certificates.k8s.io/v1beta1","kind":"PodCertificateRequest",
             "metadata":{"name":"web-1-abcde","namespace":"team-a","uid":"11111111-2222-4333-8444-555555555555",
               "resourceVersion":"4711","creationTimestamp":"2026-11-28T10:00:00Z"},
             "spec":{"signerName":"csrflow.io/workload-serving","podName":"web-1",
               "podUID":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","serviceAccountName":"workload",
               "serviceAccountUID":"bbbbbbbb-cccc-4ddd-8eee-ffffffffffff","nodeName":"worker-1",
               "nodeUID":"cccccccc-dddd-4eee-8fff-000000000000","maxExpirationSeconds":86400,
               "pkixPublicKey":"MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",
               "proofOfPossession":"c2lnbmF0dXJl","unverifiedUserAnnotations":{"example.com/purpose":"metrics"}},
             "status":{"conditions":[{"type":"Issued","status":"True","observedGeneration":1,"reason":"Issued",
               "message":"issued","lastTransitionTime":"2026-11-28T10:00:01Z"}],
               "certificateChain":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n",
               "notBefore":"2026-11-28T09:55:00Z","beginRefreshAt":"2026-11-28T22:55:00Z",
               "notAfter":"2026-11-29T09:55:00Z"}}""";

    static GenericKubernetesResource read(String json) {
        return Serialization.unmarshal(json, GenericKubernetesResource.class);
    }

    @Test
    void everyFieldOfAnIssuedRequestIsCarriedAsTheApiHasIt() {
        PodCertificateObserved snapshot = PodCertificateSnapshots.of(read(ISSUED), false, OBSERVED);

        assertEquals(new PodCertificateObserved("team-a", "web-1-abcde", "11111111-2222-4333-8444-555555555555",
                "4711", "csrflow.io/workload-serving", "web-1", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "workload",
                "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff", "worker-1", "cccccccc-dddd-4eee-8fff-000000000000", 86400,
                "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=", "c2lnbmF0dXJl",
                Map.of("example.com/purpose", "metrics"),
                List.of(new PodCertificateCondition("Issued", "True", "Issued", "issued",
                        Instant.parse("2026-11-28T10:00:01Z"))),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                Instant.parse("2026-11-28T09:55:00Z"), Instant.parse("2026-11-28T22:55:00Z"),
                Instant.parse("2026-11-29T09:55:00Z"), PodCertificatePhase.ISSUED,
                Instant.parse("2026-11-28T10:00:00Z"), OBSERVED), snapshot);
        assertEquals("team-a/web-1-abcde", snapshot.key());
    }

    @Test
    void aDeletedRequestIsItsLastStateWithPhaseDeleted() {
        PodCertificateObserved snapshot = PodCertificateSnapshots.of(read(ISSUED), true, OBSERVED);

        assertEquals(PodCertificatePhase.DELETED, snapshot.phase());
        assertEquals("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", snapshot.certificateChain());
    }

    @Test
    void aNewRequestHasNoStatusFields() {
        GenericKubernetesResource pending = read(ISSUED);
        pending.getAdditionalProperties().put("status", Map.of());

        PodCertificateObserved snapshot = PodCertificateSnapshots.of(pending, false, OBSERVED);

        assertEquals(PodCertificatePhase.PENDING, snapshot.phase());
        assertEquals(List.of(), snapshot.conditions());
        assertNull(snapshot.certificateChain());
        assertNull(snapshot.notBefore());
        assertNull(snapshot.beginRefreshAt());
        assertNull(snapshot.notAfter());
    }

    @Test
    void aRequestWithoutStatusOrOptionalSpecFieldsReadsAsPending() {
        GenericKubernetesResource bare = read(ISSUED);
        bare.getAdditionalProperties().remove("status");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) bare.getAdditionalProperties().get("spec");
        spec.remove("unverifiedUserAnnotations");
        spec.remove("maxExpirationSeconds");

        PodCertificateObserved snapshot = PodCertificateSnapshots.of(bare, false, OBSERVED);

        assertEquals(PodCertificatePhase.PENDING, snapshot.phase());
        assertEquals(Map.of(), snapshot.unverifiedUserAnnotations());
        assertNull(snapshot.maxExpirationSeconds());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Issued, ISSUED",
        "Denied, DENIED",
        "Failed, FAILED",
    })
    void thePhaseIsTheTerminalCondition(String type, PodCertificatePhase phase) {
        PodCertificateObserved snapshot = PodCertificateSnapshots.of(read(ISSUED.replace("\"type\":\"Issued\"",
                "\"type\":\"" + type + "\"")), false, OBSERVED);

        assertEquals(phase, snapshot.phase());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an offset instead of Z | 2026-11-28T11:55:00+02:00 | 2026-11-28T09:55:00Z",
        "fractional seconds | 2026-11-28T09:55:00.250Z | 2026-11-28T09:55:00.250Z",
        "not a time | yesterday |",
        "empty | '' |",
    })
    void timesAreRfc3339AndAnUnreadableOneIsAbsent(String what, String written, String read) {
        PodCertificateObserved snapshot = PodCertificateSnapshots.of(read(ISSUED.replace(
                "\"notBefore\":\"2026-11-28T09:55:00Z\"", "\"notBefore\":\"" + written + "\"")), false, OBSERVED);

        assertEquals(read == null ? null : Instant.parse(read), snapshot.notBefore());
    }

    @Test
    void fieldsOfAnotherTypeThanTheApisAreAbsentRatherThanGuessed() {
        PodCertificateObserved snapshot = PodCertificateSnapshots.of(read(ISSUED
                .replace("\"maxExpirationSeconds\":86400", "\"maxExpirationSeconds\":\"86400\"")
                .replace("\"podUID\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\"", "\"podUID\":42")
                .replace("{\"example.com/purpose\":\"metrics\"}", "{\"example.com/purpose\":1,\"a.io/b\":\"c\"}")),
                false, OBSERVED);

        assertNull(snapshot.maxExpirationSeconds());
        assertNull(snapshot.podUid());
        assertEquals(Map.of("a.io/b", "c"), snapshot.unverifiedUserAnnotations());
    }

    @Test
    void aRequestWithoutASignerNameCannotBeASnapshot() {
        GenericKubernetesResource broken = read(ISSUED.replace("\"signerName\":\"csrflow.io/workload-serving\",", ""));

        MissingFieldException e = assertThrows(MissingFieldException.class,
                () -> PodCertificateSnapshots.of(broken, false, OBSERVED));
        assertEquals("signerName", e.field());
    }
}
