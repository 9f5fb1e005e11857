package io.csrflow.scheduler.streams;

import java.security.cert.X509Certificate;
import java.time.Instant;

import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.scheduler.inventory.PodCertificate;
import io.csrflow.scheduler.inventory.Sighting;

/**
 * {@code pcr.observed} in phase Issued → sighting of the pod's certificate (the leaf of
 * {@code certificateChain}), re-keyed from {@code namespace/name} to the identity
 * {@code signer@namespace/serviceAccount|pod}. Every other phase is ignored: a pending, denied or
 * failed request carries no certificate, and a deleted one leaves its certificate in the pod.
 * As for CSRs, the certificate is what counts: validity and serial come from the leaf, and a snapshot
 * whose own times disagree with it is refused, as is one without {@code beginRefreshAt} or with one
 * outside the validity (the API server refuses both, so such a record is forged or broken).
 */
final class PodCertificateDecoder extends InputDecoder {

    private final CertificateTrust trust;

    PodCertificateDecoder(String topic, CertificateTrust trust) {
        super(topic);
        this.trust = trust;
    }

    @Override
    Record<String, Decoded> decode(Record<String, byte[]> record) {
        if (EventCodec.announcesNoneOf(record.headers(), PodCertificatePhase.ISSUED.wireName())) {
            return null;
        }
        PodCertificateObserved pcr = EventCodec.decode(EventType.POD_CERTIFICATE_OBSERVED, record.headers(),
                record.value()).data();
        if (pcr.phase() != PodCertificatePhase.ISSUED) {
            return null;
        }
        Sighting sighting = sightingOf(pcr);
        return new Record<>(sighting.identity().key(), Decoded.of(sighting), record.timestamp(), record.headers());
    }

    private Sighting sightingOf(PodCertificateObserved pcr) {
        String where = "PodCertificateRequest " + pcr.key();
        X509Certificate leaf = LeafSightings.parseFirst(pcr.certificateChain(), where + ", certificateChain");
        trust.check(pcr.signerName(), leaf);
        Identity identity = Identity.workload(pcr.signerName(), pcr.namespace(), pcr.serviceAccountName(),
                pcr.podName());
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        requireLeafTime(where, "notBefore", pcr.notBefore(), notBefore);
        requireLeafTime(where, "notAfter", pcr.notAfter(), notAfter);
        Instant refresh = pcr.beginRefreshAt();
        if (refresh == null || refresh.isBefore(notBefore) || refresh.isAfter(notAfter)) {
            throw new IllegalArgumentException(where + ": beginRefreshAt " + refresh + " is not within the "
                    + "certificate's validity [" + notBefore + ", " + notAfter + "]");
        }
        return new Sighting(identity, null, null, leaf.getSerialNumber().toString(16),
                leaf.getIssuerX500Principal().getName(), notBefore, notAfter, pcr.observedAt(),
                Sighting.Source.PCR_OBSERVED, new PodCertificate(pcr.podUid(), pcr.nodeName(), pcr.name(), refresh));
    }

    /** The snapshot's status time, if it has one, must be the leaf's (the API server requires them equal). */
    private static void requireLeafTime(String where, String field, Instant claimed, Instant certified) {
        if (claimed != null && !claimed.equals(certified)) {
            throw new IllegalArgumentException(where + ": " + field + " " + claimed + " is not the certificate's "
                    + certified);
        }
    }
}
