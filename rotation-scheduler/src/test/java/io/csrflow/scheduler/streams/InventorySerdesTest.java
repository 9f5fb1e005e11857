package io.csrflow.scheduler.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * State written before workload identities existed (stores, changelogs, the repartition topic)
 * reads back unchanged, node certificates are still written byte for byte as then, and workload
 * identities keep their namespace and ServiceAccount.
 */
class InventorySerdesTest {
    static final Instant NOT_BEFORE = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2026-01-11T00:00:00Z");
    static final Identity NODE = new Identity("kubernetes.io/kube-apiserver-client-kubelet", "system:node:worker-1");
    static final Identity WORKLOAD = Identity.workload("csrflow.io/workload-serving", "my-namespace", "default",
            "my-svc.my-namespace.svc");

    /** A sighting of NODE as the scheduler serialised it before workload identities (checked against that version). */
    static final String SIGHTING_BEFORE_WORKLOADS = "0101002b6b756265726e657465732e696f2f6b7562652d617069736572766572"
            + "2d636c69656e742d6b7562656c657401001473797374656d3a6e6f64653a776f726b65722d31010008776f726b65722d3101"
            + "00056373722d31010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76daa8000100"
            + "00019baa5a4000010000019b76dabb8801000c4353525f4f42534552564544";
    /** That sighting tracked with its deadline and one DUE notice sent, as the same version stored it. */
    static final String TRACKED_BEFORE_WORKLOADS = "0101002b6b756265726e657465732e696f2f6b7562652d617069736572766572"
            + "2d636c69656e742d6b7562656c657401001473797374656d3a6e6f64653a776f726b65722d31010008776f726b65722d3101"
            + "00056373722d31010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76daa8000100"
            + "00019baa5a4000010000019b9d7a5a00010000019b76dabb8801000c4353525f4f4253455256454400000001010003445545"
            + "010000019b9db14880";

    static Sighting sighting(Identity identity) {
        return new Sighting(identity, Sighting.nodeOf(identity), "csr-1", "a1b2c3", "CN=test-ca,O=csrflow",
                NOT_BEFORE, NOT_AFTER, NOT_BEFORE.plusSeconds(5), Sighting.Source.CSR_OBSERVED);
    }

    static TrackedCertificate tracked(Identity identity) {
        return TrackedCertificate.track(sighting(identity), Instant.parse("2026-01-08T12:00:00Z"))
                .noticeSent(RenewalReason.DUE, Instant.parse("2026-01-08T13:00:00Z"));
    }

    @Test
    void readsStateWrittenBeforeWorkloadIdentities() {
        assertEquals(sighting(NODE), InventorySerdes.sighting().deserializer().deserialize("t",
                HexFormat.of().parseHex(SIGHTING_BEFORE_WORKLOADS)));
        assertEquals(tracked(NODE), InventorySerdes.tracked().deserializer().deserialize("t",
                HexFormat.of().parseHex(TRACKED_BEFORE_WORKLOADS)));
    }

    @Test
    void writesNodeCertificatesByteForByteAsBefore() {
        assertEquals(SIGHTING_BEFORE_WORKLOADS,
                HexFormat.of().formatHex(InventorySerdes.sighting().serializer().serialize("t", sighting(NODE))));
        assertEquals(TRACKED_BEFORE_WORKLOADS,
                HexFormat.of().formatHex(InventorySerdes.tracked().serializer().serialize("t", tracked(NODE))));
    }

    @Test
    void workloadIdentitiesRoundTripInTheirOwnFormatVersion() {
        byte[] sighting = InventorySerdes.sighting().serializer().serialize("t", sighting(WORKLOAD));
        byte[] tracked = InventorySerdes.tracked().serializer().serialize("t", tracked(WORKLOAD));

        assertEquals(2, sighting[0], "format version");
        assertEquals(2, tracked[0], "format version");
        assertEquals(sighting(WORKLOAD), InventorySerdes.sighting().deserializer().deserialize("t", sighting));
        TrackedCertificate back = InventorySerdes.tracked().deserializer().deserialize("t", tracked);
        assertEquals(tracked(WORKLOAD), back);
        assertEquals("my-namespace", back.identity().namespace());
        assertEquals(null, back.nodeName());
    }

    @Test
    void anUnknownFormatVersionIsNamed() {
        byte[] bytes = InventorySerdes.tracked().serializer().serialize("t", tracked(WORKLOAD));
        bytes[0] = 3;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> InventorySerdes.tracked().deserializer().deserialize("t", bytes));
        assertEquals("tracked certificate: unknown format version 3", e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(InventorySerdes.sighting().serializer().serialize("t",
                sighting(WORKLOAD)), 20);
        assertTrue(assertThrows(IllegalStateException.class,
                () -> InventorySerdes.sighting().deserializer().deserialize("t", truncated)).getMessage()
                .contains("truncated"));
    }
}
