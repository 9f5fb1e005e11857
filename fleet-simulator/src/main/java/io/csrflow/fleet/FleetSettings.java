package io.csrflow.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

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
        Workloads workloads) {

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
