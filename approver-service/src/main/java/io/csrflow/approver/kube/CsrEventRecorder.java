package io.csrflow.approver.kube;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.csrflow.approver.ApproverConfig;
import io.csrflow.approver.domain.Decision;
import io.csrflow.events.DecisionOutcome;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A Kubernetes Event on the CSR for each decision, so that {@code kubectl describe csr} explains it.
 * Recorded by threads of their own after the decision is written: an Event explains, it never holds
 * the approval back. When the API is slower than the decisions for long ({@value #BACKLOG} waiting),
 * further Events are dropped and counted ({@code csrflow_approver_event_dropped_total}), as client-go's
 * recorder drops them; the decision itself is on the CSR and in {@code csr.decisions}.
 */
@ApplicationScoped
public class CsrEventRecorder {
    static final String COMPONENT = "csrflow-approver";
    private static final int MAX_NAME = 253;
    private static final java.util.regex.Pattern DNS_SUBDOMAIN = java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Logger LOG = Logger.getLogger(CsrEventRecorder.class);
    static final int BACKLOG = 1000;
    private static final int RECORDERS = 4;

    private final KubernetesClient client;
    private final Clock clock;
    private final String namespace;
    private final MeterRegistry registry;
    private final AtomicInteger threads = new AtomicInteger();
    /** A few at once: one API round trip at a time kept up with ~18 decisions/s, fewer than the approver makes. */
    private final ThreadPoolExecutor recorder = new ThreadPoolExecutor(RECORDERS, RECORDERS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(BACKLOG), r -> {
                Thread thread = new Thread(r, "approver-events-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    CsrEventRecorder(KubernetesClient client, Clock clock, ApproverConfig config, MeterRegistry registry) {
        this.client = client;
        this.clock = clock;
        this.namespace = config.approver().eventNamespace();
        this.registry = registry;
        registry.gauge("csrflow.approver.event.backlog", recorder, e -> e.getQueue().size());
    }

    /**
     * {@code <csr name>.<random>} as kube's event recorder names them, when that is a valid Event name (a
     * DNS subdomain of at most 253 characters); a CSR's own name need not be one (the API server
     * accepts any path segment), so otherwise {@code csr-<hash of the name>.<random>}. The CSR's real
     * name is in {@code involvedObject.name}, where {@code kubectl describe} looks.
     */
    static String eventName(String csrName) {
        String suffix = "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String candidate = csrName + suffix;
        if (candidate.length() <= MAX_NAME && DNS_SUBDOMAIN.matcher(candidate).matches()) {
            return candidate;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(csrName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "csr-" + java.util.HexFormat.of().formatHex(digest, 0, 8) + suffix;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records the event soon; an API failure is logged, never allowed to undo a written decision. */
    public void record(CertificateSigningRequest csr, Decision decision) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata().withName(eventName(csr.getMetadata().getName())).withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion("certificates.k8s.io/v1").withKind("CertificateSigningRequest")
                .withName(csr.getMetadata().getName()).withUid(csr.getMetadata().getUid())
                .withResourceVersion(csr.getMetadata().getResourceVersion()).endInvolvedObject()
                .withType(decision.outcome() == DecisionOutcome.APPROVED ? "Normal" : "Warning")
                .withReason(decision.reason())
                .withMessage(decision.message())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            recorder.execute(() -> create(event));
        } catch (RejectedExecutionException e) {
            registry.counter("csrflow.approver.event.dropped").increment();
            LOG.debugf("Event for CSR %s dropped: %d Events wait for the API", csr.getMetadata().getName(), BACKLOG);
        }
    }

    private void create(Event event) {
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            registry.counter("csrflow.approver.event.errors").increment();
            LOG.warnf("could not record an Event for CSR %s (%s): %s", event.getInvolvedObject().getName(),
                    event.getReason(), e.getMessage());
        }
    }

    /** Events already decided are still recorded at shutdown, for a few seconds. */
    @PreDestroy
    void stop() {
        recorder.shutdown();
        try {
            if (!recorder.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warnf("%d Events not recorded at shutdown", recorder.getQueue().size());
                recorder.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
