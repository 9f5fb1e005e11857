package io.csrflow.scheduler.streams;

import java.io.IOException;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import io.csrflow.events.Identity;
import io.csrflow.events.RenewalReason;
import io.csrflow.scheduler.inventory.PodCertificate;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.scheduler.inventory.TrackedCertificate;

/**
 * Serdes for the scheduler's internal values (never part of the public event contract). Format
 * version 1 holds a subject identity (signer, CN); version 2 is the same with the namespace and
 * ServiceAccount of a workload identity after the CN; version 3 is a pod certificate: version 2's
 * fields, then the pod's UID, its node, the PodCertificateRequest's name, {@code beginRefreshAt} and
 * (tracked certificates only) when it was found overdue. Each value is written in the oldest version
 * that holds it, byte for byte as that version was written before the next existed, so the state,
 * changelogs and repartition records of CSR certificates read the same in every version of the
 * scheduler, and a replica not yet upgraded stumbles only on the records it could not track anyway.
 */
public final class InventorySerdes {
    private static final byte SUBJECT_IDENTITY = 1;
    private static final byte WORKLOAD_IDENTITY = 2;
    private static final byte POD_CERTIFICATE = 3;

    private InventorySerdes() {
    }

    public static Serde<Sighting> sighting() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : encode(s), (topic, b) -> b == null ? null : sighting(b));
    }

    public static Serde<TrackedCertificate> tracked() {
        return Serdes.serdeFrom((topic, t) -> t == null ? null : encode(t), (topic, b) -> b == null ? null : tracked(b));
    }

    private static byte versionOf(Identity identity, PodCertificate pod) {
        if (pod != null) {
            if (!identity.isWorkload()) {
                throw new IllegalArgumentException("a pod certificate's identity is a workload identity, got "
                        + identity.key());
            }
            return POD_CERTIFICATE;
        }
        return identity.isWorkload() ? WORKLOAD_IDENTITY : SUBJECT_IDENTITY;
    }

    private static Binary.Out identity(Binary.Out out, Identity identity) throws IOException {
        out.string(identity.signerName()).string(identity.commonName());
        if (identity.isWorkload()) {
            out.string(identity.namespace()).string(identity.serviceAccount());
        }
        return out;
    }

    private static Identity identity(byte version, Binary.In in) throws IOException {
        String signerName = in.string();
        String commonName = in.string();
        return version >= WORKLOAD_IDENTITY ? Identity.workload(signerName, in.string(), in.string(), commonName)
                : new Identity(signerName, commonName);
    }

    private static Binary.Out pod(Binary.Out out, PodCertificate pod) throws IOException {
        return out.string(pod.podUid()).string(pod.nodeName()).string(pod.requestName()).instant(pod.beginRefreshAt());
    }

    private static PodCertificate pod(byte version, Binary.In in) throws IOException {
        return version == POD_CERTIFICATE ? new PodCertificate(in.string(), in.string(), in.string(), in.instant())
                : null;
    }

    private static byte[] encode(Sighting s) {
        return Binary.encode(versionOf(s.identity(), s.pod()), out -> {
            identity(out, s.identity())
                    .string(s.nodeName()).string(s.csrName()).string(s.serial()).string(s.issuer())
                    .instant(s.notBefore()).instant(s.notAfter()).instant(s.seenAt()).string(s.source().name());
            if (s.pod() != null) {
                pod(out, s.pod());
            }
        });
    }

    private static Sighting sighting(byte[] bytes) {
        return Binary.decode(bytes, SUBJECT_IDENTITY, POD_CERTIFICATE, "sighting", (version, in) -> new Sighting(
                identity(version, in), in.string(), in.string(), in.string(), in.string(),
                in.instant(), in.instant(), in.instant(), Sighting.Source.valueOf(in.string()), pod(version, in)));
    }

    private static byte[] encode(TrackedCertificate t) {
        return Binary.encode(versionOf(t.identity(), t.pod()), out -> {
            identity(out, t.identity())
                    .string(t.nodeName()).string(t.csrName()).string(t.serial()).string(t.issuer())
                    .instant(t.notBefore()).instant(t.notAfter()).instant(t.deadline()).instant(t.seenAt())
                    .string(t.source().name()).integer(t.notices())
                    .string(t.lastReason() == null ? null : t.lastReason().name()).instant(t.nextNoticeAt());
            if (t.pod() != null) {
                pod(out, t.pod()).instant(t.overdueSince());
            }
        });
    }

    private static TrackedCertificate tracked(byte[] bytes) {
        return Binary.decode(bytes, SUBJECT_IDENTITY, POD_CERTIFICATE, "tracked certificate", (version, in) -> {
            Identity identity = identity(version, in);
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
            var nextNoticeAt = in.instant();
            PodCertificate pod = pod(version, in);
            var overdueSince = pod == null ? null : in.instant();
            return new TrackedCertificate(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, deadline,
                    seenAt, source, notices, reason == null ? null : RenewalReason.valueOf(reason), nextNoticeAt, pod,
                    overdueSince);
        });
    }
}
