package io.csrflow.service;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The live CSR, the only truth an event points at: read by name and uid (a CSR deleted and created
 * again under the same name is another request), written through {@code /approval} or {@code /status}
 * with the resourceVersion that was read. fabric8's errors are translated here, by status code, into
 * what a caller decides on: the CSR is gone, someone wrote first, the API refused the change, or the
 * API did not answer ({@link ApiUnavailableException}, transient).
 */
@ApplicationScoped
public class LiveCsrs {
    /** What became of a write. */
    public enum Written { WRITTEN, CONFLICT, GONE, REFUSED }

    private final KubernetesClient client;
    private final Clock clock;
    private volatile Consumer<CertificateSigningRequest> written = updated -> {
    };

    LiveCsrs(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Told of every object a write returned (a {@link CsrCache} keeps it until its informer catches up). */
    public void onWritten(Consumer<CertificateSigningRequest> listener) {
        this.written = listener;
    }

    /**
     * The CSR named {@code name} if it still is the one with {@code uid} (any uid when null).
     *
     * @throws ApiUnavailableException when the API does not answer
     */
    public Optional<CertificateSigningRequest> get(String name, String uid) {
        CertificateSigningRequest live;
        try {
            live = client.certificates().v1().certificateSigningRequests().withName(name).get();
        } catch (KubernetesClientException e) {
            throw new ApiUnavailableException("reading CSR " + name + " failed: " + e.getMessage(), e);
        }
        if (live == null || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
            return Optional.empty();
        }
        return Optional.of(live);
    }

    /** Adds an Approved or Denied condition through {@code /approval}. */
    public Written approval(CertificateSigningRequest live, String type, String reason, String message) {
        return write(withCondition(live, type, reason, message), "approval");
    }

    /** Adds a condition (e.g. Failed) through {@code /status}. */
    public Written condition(CertificateSigningRequest live, String type, String reason, String message) {
        return write(withCondition(live, type, reason, message), "status");
    }

    /** Writes the certificate (base64 of the PEM, as the API carries it) through {@code /status}. */
    public Written certificate(CertificateSigningRequest live, String base64Pem) {
        // Copy: the object may come from a cache that others read.
        return write(new CertificateSigningRequestBuilder(live).editOrNewStatus().withCertificate(base64Pem)
                .endStatus().build(), "status");
    }

    private CertificateSigningRequest withCondition(CertificateSigningRequest live, String type, String reason,
            String message) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        CertificateSigningRequestCondition condition = new CertificateSigningRequestConditionBuilder().withType(type)
                .withStatus("True").withReason(reason).withMessage(message).withLastUpdateTime(now)
                .withLastTransitionTime(now).build();
        return new CertificateSigningRequestBuilder(live).editOrNewStatus().addToConditions(condition).endStatus()
                .build();
    }

    private Written write(CertificateSigningRequest update, String subresource) {
        try {
            written.accept(client.certificates().v1().certificateSigningRequests().resource(update)
                    .subresource(subresource).update());
            return Written.WRITTEN;
        } catch (KubernetesClientException e) {
            return switch (e.getCode()) {
                case 404 -> Written.GONE;
                case 409 -> Written.CONFLICT;
                case 422 -> Written.REFUSED;
                default -> throw new ApiUnavailableException("writing /" + subresource + " of CSR "
                        + update.getMetadata().getName() + " failed: " + e.getMessage(), e);
            };
        }
    }
}
