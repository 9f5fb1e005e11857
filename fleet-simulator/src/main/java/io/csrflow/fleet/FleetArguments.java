package io.csrflow.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line options, each also settable as an environment variable ({@code --nodes} as
 * {@code CSRFLOW_FLEET_NODES}), the way containers are configured. Unknown options and bad values
 * are reported by name.
 */
public final class FleetArguments {
    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("server", "Kubernetes API URL (required)");
        OPTIONS.put("certificate-authority", "PEM file to verify the API server with; without it the API's certificate is not verified");
        OPTIONS.put("bootstrap-token", "bearer token of the bootstrap identity (group system:bootstrappers) (required)");
        OPTIONS.put("kafka", "bootstrap servers; with it, nodes also rotate on cert.renewal-due");
        OPTIONS.put("kafka-config", "properties file of Kafka client settings: TLS, SASL (as Kafka's --command-config)");
        OPTIONS.put("renewal-topic", "renewal-due topic (default csrflow.cert.renewal-due)");
        OPTIONS.put("nodes", "number of nodes (default 20)");
        OPTIONS.put("name-prefix", "node names are PREFIX1, PREFIX2, ... (default sim-node-)");
        OPTIONS.put("lifetime", "spec.expirationSeconds of every CSR, e.g. 10m (default: the signer's)");
        OPTIONS.put("misbehave", "e.g. foreign-san=1,weak-key=1,impersonate=1: the last nodes misbehave so");
        OPTIONS.put("workloads", "workloads asking for serving certificates for their Service and Pod (default 0)");
        OPTIONS.put("misbehaving-workloads", "how many of the last workloads also ask for another service's names (default 0)");
        OPTIONS.put("admin-token", "bearer token allowed to create the Namespaces, ServiceAccounts, Pods, Services, "
                + "EndpointSlices and tokens of the workloads and of the pods with pod certificates");
        OPTIONS.put("workload-signer", "signer name of the workloads' CSRs (default csrflow.io/workload-serving)");
        OPTIONS.put("cluster-domain", "the cluster's DNS domain (default cluster.local)");
        OPTIONS.put("pod-certificates", "pods with a podCertificate projected volume, bound to the nodes in turn; "
                + "each node's kubelet asks for their certificates with its own client certificate (default 0; "
                + "needs --admin-token)");
        OPTIONS.put("misbehaving-pod-certificates", "how many of the last of those pods misbehave, in turn: "
                + "other-node (asked for by another node's kubelet), bad-proof (proof of possession over another "
                + "UID), key-type (ED25519, which csrflow's signer does not allow by default); each must be refused "
                + "(default 0)");
        OPTIONS.put("pod-certificate-signer", "signerName of the podCertificate volumes (default csrflow.io/workload-serving)");
        OPTIONS.put("pod-certificate-key-type", "keyType of the volumes: RSA3072, RSA4096, ECDSAP256, ECDSAP384, "
                + "ECDSAP521 or ED25519 (default ECDSAP256)");
        OPTIONS.put("pod-certificate-max-expiration", "maxExpirationSeconds of the volumes and requests, 1h to 2184h "
                + "(default 1h)");
        OPTIONS.put("pod-certificate-refresh-after", "TEST KNOB: refresh this long after issue instead of at "
                + "status.beginRefreshAt as the kubelet does (the API puts beginRefreshAt at least 10m after notBefore, "
                + "longer than a test waits), e.g. 5s (default: at beginRefreshAt)");
        OPTIONS.put("trust-domain", "SPIFFE trust domain of the URI SAN pod certificates must carry, "
                + "spiffe://DOMAIN/ns/NAMESPACE/sa/SERVICEACCOUNT (default cluster.local)");
        OPTIONS.put("starts-per-second", "node bootstrap rate (default 5)");
        OPTIONS.put("poll-interval", "longest pause between a pod certificate request's looks (the first after 250ms, the pause doubling) and between "
                + "re-lists of a CSR whose watch broke (default 1s)");
        OPTIONS.put("request-timeout", "how long a node waits for a certificate (default 5m)");
        OPTIONS.put("status-port", "port of /status, /metrics, /healthz (default 8085; 0 picks one)");
        OPTIONS.put("status-host", "address /status listens on (default 127.0.0.1; 0.0.0.0 in a container)");
        OPTIONS.put("threads", "worker threads (default 4)");
        OPTIONS.put("progress", "progress line interval, 0 for none (default 5s)");
        OPTIONS.put("crypto-provider", "auto: the Amazon Corretto Crypto Provider first where it loads (keys, CSR "
                + "signatures, TLS); jdk: the JDK's providers only (default auto)");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, String> values = new HashMap<>();

    FleetArguments(String[] args, Map<String, String> environment) {
        OPTIONS.keySet().forEach(option -> {
            String fromEnvironment = environment.get(environmentVariable(option));
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                values.put(option, fromEnvironment);
            }
        });
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !OPTIONS.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            values.put(arg.substring(2), args[++i]);
        }
    }

    FleetSettings settings() {
        return new FleetSettings(values.get("server"), path("certificate-authority"), values.get("bootstrap-token"),
                values.get("kafka"), kafkaClientSettings(), values.getOrDefault("renewal-topic", "csrflow.cert.renewal-due"),
                integer("nodes", 20), values.getOrDefault("name-prefix", "sim-node-"), duration("lifetime", null),
                misbehaviour(), decimal("starts-per-second", 5), duration("poll-interval", Duration.ofSeconds(1)),
                duration("request-timeout", Duration.ofMinutes(5)), integer("status-port", 8085),
                values.getOrDefault("status-host", "127.0.0.1"), integer("threads", 4),
                new FleetSettings.Workloads(integer("workloads", 0), integer("misbehaving-workloads", 0),
                        values.get("admin-token"), values.getOrDefault("workload-signer", "csrflow.io/workload-serving"),
                        values.getOrDefault("cluster-domain", "cluster.local")),
                podCertificates());
    }

    private FleetSettings.PodCertificates podCertificates() {
        FleetSettings.PodCertificates defaults = FleetSettings.PodCertificates.NONE;
        String keyType = values.get("pod-certificate-key-type");
        return new FleetSettings.PodCertificates(integer("pod-certificates", 0),
                integer("misbehaving-pod-certificates", 0),
                values.getOrDefault("pod-certificate-signer", defaults.signerName()),
                keyType == null ? defaults.keyType() : PodCertificateKey.Type.parse("pod-certificate-key-type", keyType),
                duration("pod-certificate-max-expiration", defaults.maxExpiration()),
                duration("pod-certificate-refresh-after", defaults.refreshAfter()),
                values.getOrDefault("trust-domain", defaults.trustDomain()));
    }

    /** Whether to put ACCP first ({@code auto}) or keep the JDK's providers ({@code jdk}). */
    boolean preferAccp() {
        String value = values.getOrDefault("crypto-provider", "auto");
        return switch (value) {
            case "auto" -> true;
            case "jdk" -> false;
            default -> throw new IllegalArgumentException("--crypto-provider is auto or jdk, got '" + value + "'");
        };
    }

    Duration progressInterval() {
        return duration("progress", Duration.ofSeconds(5));
    }

    /** The environment variable of every option ({@code CSRFLOW_FLEET_NODES} for {@code --nodes}). */
    public static java.util.Set<String> environmentVariables() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        OPTIONS.keySet().forEach(option -> names.add(environmentVariable(option)));
        return names;
    }

    private static String environmentVariable(String option) {
        return "CSRFLOW_FLEET_" + option.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static String usage() {
        StringBuilder out = new StringBuilder("usage: fleet-simulator --server URL --bootstrap-token TOKEN [options]\n");
        OPTIONS.forEach((option, help) -> out.append(String.format("  --%-30s %s%n", option, help)));
        return out.append("every option is also read from CSRFLOW_FLEET_<OPTION> (e.g. CSRFLOW_FLEET_NODES)\n").toString();
    }

    /** The Kafka client settings of {@code --kafka-config}, e.g. security.protocol, ssl.*, sasl.*. */
    private Map<String, String> kafkaClientSettings() {
        Path file = path("kafka-config");
        if (file == null) {
            return Map.of();
        }
        if (values.get("kafka") == null) {
            throw new IllegalArgumentException("--kafka-config is for the renewal listener; it needs --kafka");
        }
        java.util.Properties properties = new java.util.Properties();
        try (var reader = java.nio.file.Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-config " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name, properties.getProperty(name)));
        return settings;
    }

    private Path path(String option) {
        String value = values.get(option);
        return value == null ? null : Path.of(value);
    }

    private int integer(String option, int fallback) {
        String value = values.get(option);
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " needs a whole number, got '" + value + "'");
        }
    }

    private double decimal(String option, double fallback) {
        String value = values.get(option);
        try {
            return value == null ? fallback : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " needs a number, got '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}; {@code 0} means zero. */
    static Duration parseDuration(String option, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--" + option + " needs a duration like 500ms, 90s, 10m or 2h, got '"
                    + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private Duration duration(String option, Duration fallback) {
        String value = values.get(option);
        return value == null ? fallback : parseDuration(option, value);
    }

    private Map<Misbehaviour, Integer> misbehaviour() {
        Map<Misbehaviour, Integer> counts = new EnumMap<>(Misbehaviour.class);
        String value = values.get("misbehave");
        if (value == null || value.isBlank()) {
            return counts;
        }
        for (String part : value.split(",")) {
            String[] kindAndCount = part.split("=", 2);
            Misbehaviour kind = Misbehaviour.parse(kindAndCount[0]);
            try {
                counts.put(kind, kindAndCount.length == 1 ? 1 : Integer.parseInt(kindAndCount[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--misbehave: '" + part + "' needs KIND=COUNT");
            }
        }
        return counts;
    }
}
