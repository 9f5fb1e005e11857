package io.csrflow.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the fleet runs. {@code misbehaving} says how many of the {@code nodes} misbehave in which
 * way (they come last); {@code kafka} null means the nodes rotate at their own deadlines only;
 * {@code kafkaClient} holds further Kafka client settings (TLS, SASL).
 */
record FleetSettings(
        String apiServer,
        Path apiCaFile,
        String bootstrapToken,
        String kafka,
        Map<String, String> kafkaClient,
        String renewalDueTopic,
        int nodes,
        String namePrefix,
        Duration lifetime,
        Map<Misbehaviour, Integer> misbehaving,
        double startsPerSecond,
        Duration pollInterval,
        Duration requestTimeout,
        int statusPort,
        String statusHost,
        int threads,
        Workloads workloads,
        PodCertificates podCertificates) {

    /**
     * The workloads besides the nodes: {@code count} of them, the last {@code misbehaving} asking for
     * another service's names; set up with {@code adminToken}'s credentials.
     */
    record Workloads(int count, int misbehaving, String adminToken, String signerName, String clusterDomain) {
        static final Workloads NONE = new Workloads(0, 0, null, "csrflow.io/workload-serving", "cluster.local");

        Workloads {
            if (count < 0) {
                throw new IllegalArgumentException("--workloads must not be negative, got " + count);
            }
            if (count > 0 && (adminToken == null || adminToken.isBlank())) {
                throw new IllegalArgumentException("--workloads needs --admin-token: the workloads' Namespaces, "
                        + "ServiceAccounts, Pods, Services and EndpointSlices are made with it");
            }
            if (misbehaving < 0 || misbehaving > Math.max(0, count - 2)) {
                throw new IllegalArgumentException("--misbehaving-workloads must be between 0 and workloads - 2 (a "
                        + "misbehaving workload asks for the Service of the workload two before it), got " + misbehaving);
            }
        }
    }

    /**
     * Pods with a {@code podCertificate} projected volume, whose certificates the nodes' kubelets ask
     * for: {@code count} of them, the last {@code misbehaving} in the ways of
     * {@link PodCertificateMisbehaviour#CYCLE}; {@code refreshAfter} null means at
     * {@code beginRefreshAt}, as the kubelet.
     */
    record PodCertificates(int count, int misbehaving, String signerName, PodCertificateKey.Type keyType,
                           Duration maxExpiration, Duration refreshAfter, String trustDomain) {
        /** The API's bounds of {@code spec.maxExpirationSeconds}. */
        static final Duration MIN_EXPIRATION = Duration.ofHours(1);
        static final Duration MAX_EXPIRATION = Duration.ofDays(91);
        private static final Pattern SIGNER_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[^/\\s][^\\s]*");
        private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
        /** The defaults; after the constants its check uses. */
        static final PodCertificates NONE = new PodCertificates(0, 0, "csrflow.io/workload-serving",
                PodCertificateKey.Type.ECDSAP256, Duration.ofHours(1), null, "cluster.local");

        PodCertificates {
            if (count < 0) {
                throw new IllegalArgumentException("--pod-certificates must not be negative, got " + count);
            }
            if (misbehaving < 0 || misbehaving > count) {
                throw new IllegalArgumentException("--misbehaving-pod-certificates must be between 0 and "
                        + "--pod-certificates (" + count + "), got " + misbehaving);
            }
            if (signerName == null || !SIGNER_NAME.matcher(signerName).matches()) {
                throw new IllegalArgumentException("--pod-certificate-signer must be a signer name DOMAIN/NAME, got '"
                        + signerName + "'");
            }
            if (maxExpiration.compareTo(MIN_EXPIRATION) < 0 || maxExpiration.compareTo(MAX_EXPIRATION) > 0) {
                throw new IllegalArgumentException("--pod-certificate-max-expiration must be between 1h and 2184h "
                        + "(the API's 3600 to 7862400 maxExpirationSeconds), got " + maxExpiration);
            }
            if (refreshAfter != null && (refreshAfter.isZero() || refreshAfter.isNegative())) {
                throw new IllegalArgumentException("--pod-certificate-refresh-after must be more than 0, got "
                        + refreshAfter);
            }
            if (trustDomain == null || !TRUST_DOMAIN.matcher(trustDomain).matches()) {
                throw new IllegalArgumentException("--trust-domain must be a SPIFFE trust domain (lower-case letters, "
                        + "digits, '.', '-', '_'), got '" + trustDomain + "'");
            }
        }

        int maxExpirationSeconds() {
            return (int) maxExpiration.toSeconds();
        }
    }

    FleetSettings {
        if (apiServer == null || apiServer.isBlank()) {
            throw new IllegalArgumentException("--server is required (the Kubernetes API URL)");
        }
        if (bootstrapToken == null || bootstrapToken.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-token is required");
        }
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + nodes);
        }
        kafkaClient = Map.copyOf(kafkaClient);
        workloads = workloads == null ? Workloads.NONE : workloads;
        podCertificates = podCertificates == null ? PodCertificates.NONE : podCertificates;
        if (podCertificates.count() > 0 && (workloads.adminToken() == null || workloads.adminToken().isBlank())) {
            throw new IllegalArgumentException("--pod-certificates needs --admin-token: the pods, their Namespace and "
                    + "ServiceAccounts are made with it");
        }
        if (podCertificates.misbehaving() > 0 && nodes < 2) {
            throw new IllegalArgumentException("--misbehaving-pod-certificates needs at least 2 nodes: an other-node "
                    + "pod is asked for by the next node's kubelet");
        }
        misbehaving = Map.copyOf(misbehaving.isEmpty() ? new EnumMap<>(Misbehaviour.class) : misbehaving);
        int bad = misbehaving.values().stream().mapToInt(Integer::intValue).sum();
        if (bad > nodes) {
            throw new IllegalArgumentException(bad + " misbehaving nodes asked for, but the fleet has " + nodes);
        }
        if (lifetime != null && lifetime.compareTo(Duration.ofMinutes(10)) < 0) {
            throw new IllegalArgumentException("--lifetime must be at least 10m (the API's minimum expirationSeconds), got "
                    + lifetime);
        }
        if (startsPerSecond <= 0) {
            throw new IllegalArgumentException("--starts-per-second must be positive");
        }
    }

    /** What node number {@code index} (from 0) does: the last ones misbehave. */
    Misbehaviour behaviourOf(int index) {
        int fromEnd = nodes - index;
        int seen = 0;
        for (Misbehaviour kind : Misbehaviour.values()) {
            seen += misbehaving.getOrDefault(kind, 0);
            if (fromEnd <= seen) {
                return kind;
            }
        }
        return Misbehaviour.NONE;
    }
}
