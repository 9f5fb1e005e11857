package io.csrflow.watcher.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.csrflow.watcher.kube.CsrInformer;
import io.csrflow.watcher.kube.Leadership;
import io.csrflow.watcher.kube.PodCertificateInformer;
import io.csrflow.watcher.messaging.ObservedPublisher;

/**
 * Ready: a standby replica always; the leader once its CSR informer has synced and, where the API
 * serves PodCertificateRequests and they are not turned off, its PodCertificateRequest informer too
 * ({@code podCertificates} says which and why). service-support's
 * {@code KafkaReadiness} sits beside it (Quarkus' own Kafka check has no time bound and is off).
 * Live: both sender threads (csr.observed, pcr.observed) run.
 */
public final class WatcherHealth {
    private WatcherHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class InformerReadiness implements HealthCheck {
        private final Leadership leadership;
        private final CsrInformer informer;
        private final PodCertificateInformer podCertificates;
        private final ObservedPublisher publisher;

        InformerReadiness(Leadership leadership, CsrInformer informer, PodCertificateInformer podCertificates,
                ObservedPublisher publisher) {
            this.leadership = leadership;
            this.informer = informer;
            this.podCertificates = podCertificates;
            this.publisher = publisher;
        }

        @Override
        public HealthCheckResponse call() {
            boolean leading = leadership.leading();
            boolean synced = informer.synced();
            return HealthCheckResponse.named("csr-informer")
                    .status(!leading || synced && podCertificates.ready())
                    .withData("role", leading ? "leader" : "standby")
                    .withData("identity", leadership.identity())
                    .withData("informerSynced", synced)
                    .withData("pendingBacklog", publisher.backlog())
                    .withData("podCertificates", podCertificates.state())
                    .withData("podCertificateInformerSynced", podCertificates.synced())
                    .withData("podCertificateBacklog", publisher.podCertificateBacklog())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class SenderLiveness implements HealthCheck {
        private final ObservedPublisher publisher;

        SenderLiveness(ObservedPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("csr-observed-sender").status(publisher.alive()).build();
        }
    }
}
