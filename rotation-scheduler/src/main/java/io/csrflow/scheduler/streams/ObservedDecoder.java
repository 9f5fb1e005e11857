package io.csrflow.scheduler.streams;

import java.security.cert.X509Certificate;

import org.apache.kafka.streams.processor.api.Record;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.pki.Pem;
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
        CsrObserved csr = EventCodec.decode(EventType.CSR_OBSERVED, record.headers(), record.value()).data();
        if (csr.phase() != CsrPhase.ISSUED || csr.certificate() == null || csr.certificate().isBlank()) {
            return null;
        }
        Sighting sighting = sightingOf(csr);
        return new Record<>(sighting.identity().key(), Decoded.of(sighting), record.timestamp(), record.headers());
    }

    private Sighting sightingOf(CsrObserved csr) {
        X509Certificate leaf = leaf(csr);
        trust.check(csr.signerName(), leaf);
        String commonName = commonName(leaf);
        return new Sighting(new Identity(csr.signerName(), commonName), Sighting.nodeOf(commonName), csr.name(),
                leaf.getSerialNumber().toString(16), leaf.getIssuerX500Principal().getName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), csr.observedAt(),
                Sighting.Source.CSR_OBSERVED);
    }

    /** The first certificate of {@code status.certificate}: the API server allows a chain after it. */
    private static X509Certificate leaf(CsrObserved csr) {
        return parseLeaf(csr.certificate(), csr.name());
    }

    /** The first certificate of a PEM bundle, or an exception naming the CSR. */
    static X509Certificate parseLeaf(String pem, String csrName) {
        try {
            return Pem.firstCertificate(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CSR " + csrName + ", certificate field: " + e.getMessage(), e);
        }
    }

    private static String commonName(X509Certificate certificate) {
        RDN[] cns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        return cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }
}
