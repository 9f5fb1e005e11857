package io.csrflow.signer.messaging.inbound;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.service.RecordDecoder;
import io.csrflow.signer.pods.PodCertificateService;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;

/**
 * PodCertificateRequests in, from {@code pcr.observed}: a Pending one for a signer that answers pod
 * certificates here is answered; the event is only a hint, the live request decides. Invalid records
 * go to the dead-letter topic.
 */
@ApplicationScoped
public class PodCertificateConsumer {
    private final PodCertificateService service;
    private final RecordDecoder decoder;

    PodCertificateConsumer(PodCertificateService service, MeterRegistry registry) {
        this.service = service;
        this.decoder = new RecordDecoder(registry, "csrflow.signer.records.malformed");
    }

    @Incoming("pcr-observed")
    @Blocking
    public void observed(ConsumerRecord<String, byte[]> record) {
        if (EventCodec.announcesNoneOf(record.headers(), PodCertificatePhase.PENDING.wireName())) {
            return;
        }
        PodCertificateObserved request = decoder.decode(EventType.POD_CERTIFICATE_OBSERVED, record).data();
        if (request.phase() == PodCertificatePhase.PENDING && service.serves(request.signerName())) {
            service.answer(request.namespace(), request.name(), request.uid());
        }
    }
}
