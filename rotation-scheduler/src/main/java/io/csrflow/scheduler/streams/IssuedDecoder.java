package io.csrflow.scheduler.streams;

import java.security.cert.X509Certificate;

import org.apache.kafka.streams.processor.api.Record;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Identities;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.scheduler.inventory.Sighting;
import io.csrflow.service.CsrTrace;
import io.csrflow.service.CsrTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;

/** {@code cert.issued} → sighting, keyed by identity as the contract keys the topic. */
final class IssuedDecoder extends InputDecoder {

    private final CsrTracing tracing;

    private final CertificateTrust trust;

    IssuedDecoder(String topic, CsrTracing tracing, CertificateTrust trust) {
        super(topic);
        this.tracing = tracing;
        this.trust = trust;
    }

    @Override
    Record<String, Decoded> decode(Record<String, byte[]> record) {
        CertIssued issued = EventCodec.decode(EventType.CERT_ISSUED, record.headers(), record.value()).data();
        // The identity's state lives in the task of its key's partition; a record keyed otherwise
        // would split one identity's history across tasks.
        if (!issued.identity().key().equals(record.key())) {
            throw new IllegalArgumentException("record key '" + record.key() + "' is not the identity key '"
                    + issued.identity().key() + "'");
        }
        Sighting claimed = new Sighting(issued.identity(), Sighting.nodeOf(issued.identity()),
                issued.csrName(), issued.serial(), issued.issuer(), issued.notBefore(), issued.notAfter(),
                issued.issuedAt(), Sighting.Source.CERT_ISSUED);
        Sighting sighting = claimed;
        if (trust.enabled()) {
            // Believed only as its certificate says: a genuine certificate must not be replayed under
            // another identity, or with a later validity, to cancel a real certificate's renewal.
            X509Certificate leaf = LeafSightings.parseLeaf(issued.certificate(), issued.csrName());
            trust.check(issued.identity().signerName(), leaf);
            // The certificate does not say who requested it: a workload identity's namespace and
            // ServiceAccount are the signer's word; its name is checked against the certificate.
            sighting = LeafSightings.of(issued.identity().signerName(), Identities.requester(issued.identity()),
                    issued.csrName(), leaf, issued.issuedAt(), Sighting.Source.CERT_ISSUED);
            LeafSightings.requireSame(claimed, sighting);
        }
        if (tracing.exported()) {
            // The certificate reaches the scheduler: the last span of the CSR's trace. Nothing carries
            // its context on, so without export there is nothing to do.
            tracing.run("rotation-scheduler track", SpanKind.CONSUMER,
                    CsrTrace.parentOf(record.headers(), issued.csrUid() == null ? issued.csrName() : issued.csrUid()),
                    issued.csrName(), () -> Span.current().setAttribute("csrflow.certificate.serial", issued.serial()));
        }
        return record.withValue(Decoded.of(sighting));
    }
}
