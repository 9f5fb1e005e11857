package io.csrflow.signer.kube;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.signer.ca.CaRegistry;

/** The record's text form: what a writer signs, a reader rebuilds byte for byte from the annotations. */
class RetiredCaRecordTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void whatIsWrittenReadsBackAndSignsTheSameBytesInAnyOrder() {
        Instant first = Instant.parse("2027-01-02T03:04:05.123456789Z");
        Instant second = Instant.parse("2027-02-01T00:00:00Z");
        Map<String, List<RetiredCaRecord.Entry>> written = Map.of(
                "kubernetes.io/kube-apiserver-client-kubelet", List.of(new RetiredCaRecord.Entry(B, second),
                        new RetiredCaRecord.Entry(A, first)),
                "csrflow.io/workload-serving", List.of(new RetiredCaRecord.Entry(A, second)));

        String annotation = RetiredCaRecord.entriesAnnotation(written);
        Map<String, List<RetiredCaRecord.Entry>> read = RetiredCaRecord.entries(annotation);

        assertEquals(written.keySet(), read.keySet(), annotation);
        written.forEach((signer, entries) -> assertArrayEquals(RetiredCaRecord.signed(signer, entries),
                RetiredCaRecord.signed(signer, read.get(signer)), signer));
        assertEquals("csrflow.io/retired-cas v1\nkubernetes.io/kube-apiserver-client-kubelet\n" + A + "=" + first + "\n"
                + B + "=" + second + "\n", new String(RetiredCaRecord.signed("kubernetes.io/kube-apiserver-client-kubelet",
                        read.get("kubernetes.io/kube-apiserver-client-kubelet")), StandardCharsets.UTF_8));
    }

    @Test
    void proofsReadBackAndWhatCannotBeReadIsLeftOut() {
        byte[] signature = {(byte) 0xfb, (byte) 0xff, 0, 1, 2};
        String annotation = RetiredCaRecord.proofsAnnotation(Map.of("csrflow.io/workload-serving",
                new CaRegistry.Vouch(A, signature)));
        CaRegistry.Vouch read = RetiredCaRecord.proofs(annotation).get("csrflow.io/workload-serving");
        assertEquals(A, read.caFingerprint());
        assertArrayEquals(signature, read.signature());

        assertEquals(Map.of(), RetiredCaRecord.proofs("kubelet-serving/" + A + "=not base64url!,nonsense,=x"));
        assertEquals(List.of(new RetiredCaRecord.Entry(B, Instant.parse("2027-01-01T00:00:00Z"))),
                RetiredCaRecord.entries("kubelet-serving/" + A + "=yesterday,kubelet-serving/" + B
                        + "=2027-01-01T00:00:00Z,no-slash=2027-01-01T00:00:00Z").get("kubernetes.io/kubelet-serving"));
    }
}
