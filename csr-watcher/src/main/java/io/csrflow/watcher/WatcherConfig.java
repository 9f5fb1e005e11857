package io.csrflow.watcher;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything the watcher reads from configuration ({@code csrflow.*}). */
@ConfigMapping(prefix = "csrflow")
public interface WatcherConfig {
    Topics topics();

    Watcher watcher();

    interface Topics {
        /**
         * Where {@code csr.observed} events go. The default is the event contract's
         * ({@code EventType.CSR_OBSERVED.defaultTopic()}, which an annotation cannot call);
         * {@code WatcherConfigTest} keeps the two equal.
         */
        @WithDefault(io.csrflow.events.Topics.OBSERVED)
        String observed();

        /**
         * Where {@code pcr.observed} events go; the default is
         * {@code EventType.POD_CERTIFICATE_OBSERVED.defaultTopic()}, kept equal by {@code WatcherConfigTest}.
         */
        @WithDefault(io.csrflow.events.Topics.POD_CERTIFICATES_OBSERVED)
        String podCertificatesObserved();
    }

    interface Watcher {
        /**
         * How often the informers re-deliver every CSR and PodCertificateRequest; each re-delivery is
         * published again, so that consumers re-evaluate requests still pending (a Node may have
         * registered since). 0 disables.
         */
        @WithDefault("10m")
        Duration resync();

        LeaderElection leaderElection();

        PodCertificates podCertificates();

        Publisher publisher();

        Cleaner cleaner();
    }

    interface LeaderElection {
        /** With more than one replica, only the holder of the Lease publishes. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("csrflow")
        String namespace();

        @WithDefault("csr-watcher")
        String leaseName();

        /** This replica's name in the Lease; defaults to the host name plus a random suffix. */
        Optional<String> identity();

        @WithDefault("15s")
        Duration leaseDuration();

        @WithDefault("10s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();
    }

    /** PodCertificateRequests (certificates.k8s.io/v1beta1, Kubernetes 1.35+), published as {@code pcr.observed}. */
    interface PodCertificates {
        /**
         * Watch them when the API server serves them (asked once at start through discovery; an API
         * server that does not is logged and left alone, CSRs are watched all the same). Turn off
         * where no one consumes {@code pcr.observed} or the watcher may not list them.
         */
        @WithDefault("true")
        boolean enabled();
    }

    /**
     * Garbage collection of CSRs as kube-controller-manager's csrcleaner does it, by the leader only;
     * the defaults are kube's. See {@code CleanupRules} for what each age is measured from.
     */
    interface Cleaner {
        /** Turn off where kube-controller-manager's csrcleaner still runs, or CSRs must be kept. */
        @WithDefault("true")
        boolean enabled();

        /** How often the leader looks at every CSR it holds; kube's polling interval. Positive. */
        @WithDefault("1h")
        Duration interval();

        /** An approved CSR with a certificate is deleted this long after its approval (kube: approvedExpiration). */
        @WithDefault("1h")
        Duration issuedMaxAge();

        /** A denied CSR is deleted this long after its denial (kube: deniedExpiration). */
        @WithDefault("1h")
        Duration deniedMaxAge();

        /** A failed CSR is deleted this long after its Failed condition (kube: deniedExpiration too). */
        @WithDefault("1h")
        Duration failedMaxAge();

        /** A CSR with no condition at all is deleted this long after its creation (kube: pendingExpiration). */
        @WithDefault("24h")
        Duration pendingMaxAge();
    }

    interface Publisher {
        /** The producer's delivery timeout; after it a snapshot is kept and retried. */
        @WithDefault("30s")
        Duration deliveryTimeout();

        /**
         * First pause after a failed send; doubles per failure up to {@link #retryBackoffMax()} and
         * starts again here after a send succeeds. Must be positive.
         */
        @WithDefault("200ms")
        Duration retryBackoffMin();

        /** The longest pause between retries; not shorter than {@link #retryBackoffMin()}. */
        @WithDefault("10s")
        Duration retryBackoffMax();
    }
}
