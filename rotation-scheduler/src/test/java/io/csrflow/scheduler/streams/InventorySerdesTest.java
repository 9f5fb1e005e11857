package io.csrflow.scheduler.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.NoticePlan;
import io.csrflow.scheduler.inventory.OverduePlan;
import io.csrflow.scheduler.inventory.PodCertificate;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * State written before workload identities existed (stores, changelogs, the repartition topic), and
 * before pod certificates existed, reads back unchanged; node and workload certificates are still
 * written byte for byte as then; workload identities keep their namespace and ServiceAccount, and pod
 * certificates their pod, node, request, refresh time and overdue state, in format version 3.
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

    /** A sighting of WORKLOAD as the scheduler serialised it before pod certificates (format version 2). */
    static final String WORKLOAD_SIGHTING_BEFORE_PODS = "0201001b637372666c6f772e696f2f776f726b6c6f61642d7365727669"
            + "6e670100176d792d7376632e6d792d6e616d6573706163652e73766301000c6d792d6e616d65737061636501000764656661"
            + "756c74000100056373722d31010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76"
            + "daa800010000019baa5a4000010000019b76dabb8801000c4353525f4f42534552564544";
    /** That sighting tracked with its deadline and one DUE notice sent, as the same version stored it. */
    static final String WORKLOAD_TRACKED_BEFORE_PODS = "0201001b637372666c6f772e696f2f776f726b6c6f61642d7365727669"
            + "6e670100176d792d7376632e6d792d6e616d6573706163652e73766301000c6d792d6e616d65737061636501000764656661"
            + "756c74000100056373722d31010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76"
            + "daa800010000019baa5a4000010000019b9d7a5a00010000019b76dabb8801000c4353525f4f425345525645440000000101"
            + "0003445545010000019b9db14880";
    static final Identity POD = Identity.workload("csrflow.io/workload-serving", "my-namespace", "web", "web-0");
    static final PodCertificate POD_DETAILS = new PodCertificate("6f5e4d3c-2b1a-4098-a7b6-c5d4e3f2a1b0", "worker-1",
            "web-0-a1b2c", Instant.parse("2026-01-06T00:00:00Z"));

    /** A pod certificate's sighting in format version 3, as first written. */
    static final String POD_SIGHTING = "0301001b637372666c6f772e696f2f776f726b6c6f61642d73657276696e670100057765622d3001000c6d792d6e616d6573"
            + "706163650100037765620000010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76"
            + "daa800010000019baa5a4000010000019b76dabb8801000c5043525f4f4253455256454401002436663565346433632d3262"
            + "31612d343039382d613762362d633564346533663261316230010008776f726b65722d3101000b7765622d302d6131623263"
            + "010000019b909a7400";
    /** That certificate tracked and found overdue, in format version 3, as first written. */
    static final String POD_TRACKED = "0301001b637372666c6f772e696f2f776f726b6c6f61642d73657276696e670100057765622d3001000c6d792d6e616d6573"
            + "706163650100037765620000010006613162326333010014434e3d746573742d63612c4f3d637372666c6f77010000019b76"
            + "daa800010000019baa5a4000010000019b909a7400010000019b76dabb8801000c5043525f4f425345525645440000000000"
            + "010000019b90da8a4001002436663565346433632d326231612d343039382d613762362d6335643465336632613162300100"
            + "08776f726b65722d3101000b7765622d302d6131623263010000019b909a7400010000019b90a39bc0";

    static Sighting podSighting() {
        return new Sighting(POD, null, null, "a1b2c3", "CN=test-ca,O=csrflow", NOT_BEFORE, NOT_AFTER,
                NOT_BEFORE.plusSeconds(5), Sighting.Source.PCR_OBSERVED, POD_DETAILS);
    }

    static TrackedCertificate podTracked() {
        OverduePlan plan = new OverduePlan(Duration.ofMinutes(10), new NoticePlan(Duration.ofHours(1),
                Duration.ofHours(24), Duration.ofDays(30)));
        Instant overdueAt = Instant.parse("2026-01-06T00:10:00Z");
        return TrackedCertificate.trackPod(podSighting(), plan).overdue(overdueAt, overdueAt.plus(Duration.ofHours(1)));
    }

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
    void readsWorkloadStateWrittenBeforePodCertificatesAndWritesItAsThen() {
        assertEquals(sighting(WORKLOAD), InventorySerdes.sighting().deserializer().deserialize("t",
                HexFormat.of().parseHex(WORKLOAD_SIGHTING_BEFORE_PODS)));
        assertEquals(tracked(WORKLOAD), InventorySerdes.tracked().deserializer().deserialize("t",
                HexFormat.of().parseHex(WORKLOAD_TRACKED_BEFORE_PODS)));
        assertEquals(WORKLOAD_SIGHTING_BEFORE_PODS,
                HexFormat.of().formatHex(InventorySerdes.sighting().serializer().serialize("t", sighting(WORKLOAD))));
        assertEquals(WORKLOAD_TRACKED_BEFORE_PODS,
                HexFormat.of().formatHex(InventorySerdes.tracked().serializer().serialize("t", tracked(WORKLOAD))));
        assertFalse(tracked(WORKLOAD).isPodCertificate());
    }

    @Test
    void podCertificatesRoundTripInFormatVersion3() {
        byte[] sighting = InventorySerdes.sighting().serializer().serialize("t", podSighting());
        byte[] tracked = InventorySerdes.tracked().serializer().serialize("t", podTracked());

        assertEquals(3, sighting[0], "format version");
        assertEquals(3, tracked[0], "format version");
        assertEquals(POD_SIGHTING, HexFormat.of().formatHex(sighting), "the format of version 3, pinned");
        assertEquals(POD_TRACKED, HexFormat.of().formatHex(tracked), "the format of version 3, pinned");
        assertEquals(podSighting(), InventorySerdes.sighting().deserializer().deserialize("t", sighting));
        TrackedCertificate back = InventorySerdes.tracked().deserializer().deserialize("t", tracked);
        assertEquals(podTracked(), back);
        assertEquals(POD_DETAILS, back.pod());
        assertEquals(Instant.parse("2026-01-06T00:10:00Z"), back.overdueSince());
        assertEquals(POD_DETAILS.beginRefreshAt(), back.deadline());
        assertEquals(null, back.nodeName(), "a pod's node is the pod's, not a kubelet identity's");
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
        bytes[0] = 4;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> InventorySerdes.tracked().deserializer().deserialize("t", bytes));
        assertEquals("tracked certificate: unknown format version 4", e.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(InventorySerdes.sighting().serializer().serialize("t",
                sighting(WORKLOAD)), 20);
        assertTrue(assertThrows(IllegalStateException.class,
                () -> InventorySerdes.sighting().deserializer().deserialize("t", truncated)).getMessage()
                .contains("truncated"));
    }
}
