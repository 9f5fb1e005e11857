package io.csrflow.scheduler.streams;

import java.security.cert.X509Certificate;

import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.scheduler.inventory.Sighting;

/**
 * {@code csr.observed} in phase Issued → sighting of the certificate in {@code status.certificate},
 * re-keyed from CSR name to identity. This is how certificates from signers other than ours
 * (kube-controller-manager's included) enter the inventory.
 */
final class ObservedDecoder extends InputDecoder {

    private final CertificateTrust trust;

    ObservedDecoder(String topic, CertificateTrust trust) {
        super(topic);
        this.trust = trust;
    }

    @Override
    Record<String, Decoded> decode(Record<String, byte[]> record) {
        // Most snapshots are not Issued ones; the header tells them apart without decoding them.
        if (EventCodec.announcesNoneOf(record.headers(), CsrPhase.ISSUED.wireName())) {
            return null;
        }
        CsrObserved csr = EventCodec.decode(EventType.CSR_OBSERVED, record.headers(), record.value()).data();
        if (csr.phase() != CsrPhase.ISSUED || csr.certificate() == null || csr.certificate().isBlank()) {
            return null;
        }
        Sighting sighting = sightingOf(csr);
        return new Record<>(sighting.identity().key(), Decoded.of(sighting), record.timestamp(), record.headers());
    }

    private Sighting sightingOf(CsrObserved csr) {
        X509Certificate leaf = LeafSightings.parseLeaf(csr.certificate(), csr.name());
        trust.check(csr.signerName(), leaf);
        return LeafSightings.of(csr.signerName(), csr.requester().username(), csr.name(), leaf, csr.observedAt(),
                Sighting.Source.CSR_OBSERVED);
    }
}
