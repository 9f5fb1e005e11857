package io.csrflow.scheduler.streams;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/** Serdes for the scheduler's internal values (never part of the public event contract). */
public final class InventorySerdes {
    private static final byte SIGHTING_V1 = 1;
    private static final byte TRACKED_V1 = 1;

    private InventorySerdes() {
    }

    public static Serde<Sighting> sighting() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : encode(s), (topic, b) -> b == null ? null : sighting(b));
    }

    public static Serde<TrackedCertificate> tracked() {
        return Serdes.serdeFrom((topic, t) -> t == null ? null : encode(t), (topic, b) -> b == null ? null : tracked(b));
    }

    private static byte[] encode(Sighting s) {
        return Binary.encode(SIGHTING_V1, out -> out.string(s.identity().signerName()).string(s.identity().commonName())
                .string(s.nodeName()).string(s.csrName()).string(s.serial()).string(s.issuer())
                .instant(s.notBefore()).instant(s.notAfter()).instant(s.seenAt()).string(s.source().name()));
    }

    private static Sighting sighting(byte[] bytes) {
        return Binary.decode(bytes, SIGHTING_V1, "sighting", in -> new Sighting(
                new Identity(in.string(), in.string()), in.string(), in.string(), in.string(), in.string(),
                in.instant(), in.instant(), in.instant(), Sighting.Source.valueOf(in.string())));
    }

    private static byte[] encode(TrackedCertificate t) {
        return Binary.encode(TRACKED_V1, out -> out.string(t.identity().signerName()).string(t.identity().commonName())
                .string(t.nodeName()).string(t.csrName()).string(t.serial()).string(t.issuer())
                .instant(t.notBefore()).instant(t.notAfter()).instant(t.deadline()).instant(t.seenAt())
                .string(t.source().name()).integer(t.notices())
                .string(t.lastReason() == null ? null : t.lastReason().name()).instant(t.nextNoticeAt()));
    }

    private static TrackedCertificate tracked(byte[] bytes) {
        return Binary.decode(bytes, TRACKED_V1, "tracked certificate", in -> {
            Identity identity = new Identity(in.string(), in.string());
            String nodeName = in.string();
            String csrName = in.string();
            String serial = in.string();
            String issuer = in.string();
            var notBefore = in.instant();
            var notAfter = in.instant();
            var deadline = in.instant();
            var seenAt = in.instant();
            Sighting.Source source = Sighting.Source.valueOf(in.string());
            int notices = in.integer();
            String reason = in.string();
            return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline,
                    seenAt, source, notices, reason == null ? null : RenewalReason.valueOf(reason), in.instant());
        });
    }
}
