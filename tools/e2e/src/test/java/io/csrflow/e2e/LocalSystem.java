package io.csrflow.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AclBinding;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.testsupport.ClusterManifests;
import io.csrflow.testsupport.JavaProcess;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaProcess;
import io.csrflow.testsupport.KafkaUserAcls;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.YamlDocuments;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * csrflow as it runs for real, every part a process of its own: a Kafka broker, the Kubernetes API
 * emulator (authenticating kubelets by the client certificates the signer issues), csr-watcher,
 * approver-service, signer-service, rotation-scheduler and a simulated kubelet fleet. Each
 * component's output goes to {@code target/e2e-logs}. The services reach the API through
 * {@link #apiProxy}, which a test can cut; with {@link Kafka#SASL_SSL} every service and the fleet
 * talk to Kafka only over TLS with SCRAM, as configured by environment variables, and each service
 * as its own Kafka user with exactly the ACLs the production overlay's KafkaUsers grant it.
 */
final class LocalSystem implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("csrflow.root", "../..")).toAbsolutePath().normalize();
    static final Path LOGS = Path.of("target", "e2e-logs").toAbsolutePath();
    /** The stand-ins' {@code --crypto-provider}: {@code auto} (ACCP first), or {@code jdk} to compare with. */
    private static final String STAND_IN_CRYPTO = System.getProperty("csrflow.e2e.stand-in-crypto", "auto");
    static final List<String> SERVICES = List.of("csr-watcher", "approver-service", "signer-service",
            "rotation-scheduler");

    /** How the services and the fleet reach Kafka. */
    enum Kafka { PLAINTEXT, SASL_SSL }

    final KafkaProcess kafka;
    private final Kafka kafkaSecurity;
    final TestCa ca;
    final int apiPort = JavaProcess.freePort();
    final ApiProxy apiProxy = new ApiProxy(apiPort);
    final int schedulerPort = JavaProcess.freePort();
    final int fleetPort = JavaProcess.freePort();
    final Path kubeconfig;
    private final Path dir;
    private final List<JavaProcess> processes = new ArrayList<>();
    private final Map<String, JavaProcess> byName = new HashMap<>();
    private final Map<String, Map<String, String>> serviceEnv = new HashMap<>();
    private final Map<String, Integer> restarts = new HashMap<>();
    private Map<String, String> everyService = Map.of();
    /** The HTTP port of each service, by module name. */
    final Map<String, Integer> ports = new HashMap<>();

    LocalSystem(Path dir) {
        this(dir, Kafka.PLAINTEXT);
    }

    LocalSystem(Path dir, Kafka kafkaSecurity) {
        this.kafkaSecurity = kafkaSecurity;
        this.kafka = kafkaSecurity == Kafka.SASL_SSL ? KafkaProcess.withSaslSslAndAcls(SERVICES) : new KafkaProcess();
        this.dir = dir;
        this.kubeconfig = dir.resolve("kubeconfig");
        this.ca = TestCa.create(dir.resolve("ca"), "csrflow-e2e-ca", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)));
    }

    String apiUrl() {
        return "https://127.0.0.1:" + apiPort;
    }

    /**
     * Starts Kafka, the emulator and the four services; {@code everyService} is added to each
     * service's environment, {@code schedulerSettings} to the scheduler's.
     */
    LocalSystem startPlatform(Map<String, String> everyService, Map<String, String> schedulerSettings) throws Exception {
        this.everyService = Map.copyOf(everyService);
        kafka.start();
        if (kafkaSecurity == Kafka.SASL_SSL) {
            KafkaUserAcls.apply(kafka.bootstrapServers(), productionKafkaAcls());
        }
        KafkaBrokers.createTopics(kafka.bootstrapServers(), 3,
                Stream.concat(KafkaBrokers.contractTopics().stream(), KafkaBrokers.deadLetterTopics().stream()).toList());
        startEmulator();
        ports.put("csr-watcher", JavaProcess.freePort());
        ports.put("approver-service", JavaProcess.freePort());
        ports.put("signer-service", JavaProcess.freePort());
        ports.put("rotation-scheduler", schedulerPort);
        Map<String, JavaProcess> started = new HashMap<>();
        started.put("csr-watcher", service("csr-watcher", ports, "csr-watcher-token", Map.of()));
        // Bounded to the fleet's names and addresses, as ./csrflow up does; an address a Node adds
        // after registering waits 20 s (a restarted approver sees every address as new once).
        started.put("approver-service", service("approver-service", ports, "approver-token", Map.of(
                "CSRFLOW_APPROVER_KUBELET_SERVING_DNS_NAME_PATTERN", "sim-node-[0-9]+",
                "CSRFLOW_APPROVER_KUBELET_SERVING_IP_RANGES", "10.244.0.0/16",
                "CSRFLOW_APPROVER_KUBELET_SERVING_ADDRESS_SETTLE_TIME", "20s")));
        started.put("signer-service", service("signer-service", ports, "signer-token", Map.of(
                "CSRFLOW_SIGNER_CA_CERT_FILE", ca.certFile().toString(),
                "CSRFLOW_SIGNER_CA_KEY_FILE", ca.keyFile().toString())));
        Map<String, String> scheduler = new HashMap<>(schedulerSettings);
        scheduler.put("CSRFLOW_SCHEDULER_STATE_DIR", Files.createDirectories(dir.resolve("scheduler-state")).toString());
        scheduler.put("CSRFLOW_SCHEDULER_ADVERTISED_ADDRESS", "127.0.0.1:" + schedulerPort);
        // As in the Deployment: restarted after a kill, it takes its partitions back at once.
        scheduler.put("CSRFLOW_SCHEDULER_INSTANCE_ID", "e2e-scheduler");
        Path trust = Files.createDirectories(dir.resolve("trust"));
        for (String signer : List.of("kube-apiserver-client-kubelet", "kubelet-serving")) {
            Files.copy(ca.certFile(), trust.resolve(signer + ".crt"));
        }
        scheduler.put("CSRFLOW_SCHEDULER_TRUST_BUNDLE_DIR", trust.toString());
        started.put("rotation-scheduler", service("rotation-scheduler", ports, "rotation-scheduler-token", scheduler));
        // Started together, awaited one by one: the JVMs warm up in parallel.
        for (Map.Entry<String, JavaProcess> service : started.entrySet()) {
            service.getValue().awaitAnswer(ports.get(service.getKey()), "/q/health/ready", Duration.ofMinutes(3));
        }
        return this;
    }

    /**
     * The API with the RBAC of {@code kubectl kustomize k8s/overlays/dev} (whose ServiceAccounts are
     * the users of the services' tokens) and the Namespaces and ConfigMaps it ships, as a cluster
     * after {@code kubectl apply -k}: each service gets exactly the 403s its roles give it.
     */
    private void startEmulator() throws Exception {
        Path module = ROOT.resolve("tools/kube-emulator/target");
        Path rbac = ClusterManifests.writeDevOverlay(dir.resolve("k8s-dev.yaml"));
        // Every object lives in its heap, as in etcd and the API server's cache: 10,000 nodes' Nodes,
        // CSRs and Events held 225 MB after a full collection at 8,500 nodes, too much for 256m.
        JavaProcess emulator = track("kube-emulator", JavaProcess.start("kube-emulator", LOGS, "1g", Map.of(),
                "-cp", module.resolve("kube-emulator.jar") + ":" + module.resolve("lib") + "/*",
                "io.csrflow.emulator.KubeEmulatorMain", "--port", Integer.toString(apiPort),
                "--client-ca", ca.certFile().toString(), "--rbac", rbac.toString(),
                "--kubeconfig", kubeconfig.toString(), "--crypto-provider", STAND_IN_CRYPTO));
        long giveUpAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(kubeconfig)) {
            if (!emulator.alive() || System.nanoTime() > giveUpAt) {
                throw new IllegalStateException("the emulator did not start; see " + emulator.log());
            }
            Thread.sleep(200);
        }
        try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(
                Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            ClusterManifests.createServedObjects(admin);
        }
    }

    private JavaProcess service(String module, Map<String, Integer> ports, String token, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(everyService);
        env.putAll(extra);
        env.putAll(kafkaEnvironment(module));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(ports.get(module)));
        // A kubeconfig per service, as in a deployment: a token in QUARKUS_KUBERNETES_CLIENT_TOKEN
        // would be printed by Quarkus at startup.
        env.put("KUBECONFIG", kubeconfigFor(module, token).toString());
        serviceEnv.put(module, env);
        return track(module, JavaProcess.quarkus(module, ROOT.resolve(module), LOGS, env));
    }

    /**
     * Kafka settings as the production overlay gives them: KAFKA_* variables (Quarkus maps them to
     * kafka.* client settings), the service's own SCRAM user, the broker's CA as PEM text.
     */
    Map<String, String> kafkaEnvironment(String module) {
        Map<String, String> env = new HashMap<>();
        if (kafkaSecurity == Kafka.SASL_SSL) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.secureBootstrapServers());
            kafkaSettings(module).forEach((key, value) ->
                    env.put("KAFKA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), value));
        } else {
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        }
        return env;
    }

    /** The Kafka client settings of {@code user}: a service, or {@link KafkaProcess#SUPER_USER}. */
    Map<String, String> kafkaSettings(String user) {
        Map<String, String> settings = new HashMap<>(kafka.secureClientSettings(user));
        // As the Deployments do, from the cluster CA Secret: the certificates themselves, not a file.
        try {
            settings.put("ssl.truststore.certificates",
                    Files.readString(Path.of(settings.remove("ssl.truststore.location"))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return settings;
    }

    /** The ACLs of every KafkaUser in {@code kubectl kustomize k8s/overlays/production}. */
    private static List<AclBinding> productionKafkaAcls() {
        List<AclBinding> acls = new ArrayList<>();
        for (JsonNode object : YamlDocuments.kustomize(ROOT, "k8s/overlays/production")) {
            if (object.path("kind").asText().equals("KafkaUser")) {
                acls.addAll(KafkaUserAcls.of(object));
            }
        }
        if (acls.isEmpty()) {
            throw new IllegalStateException("the production overlay has no KafkaUser ACLs");
        }
        return acls;
    }

    /** SIGKILL to a service or the fleet simulator: no shutdown, nothing flushed. */
    void kill(String name) {
        JavaProcess process = byName.remove(name);
        processes.remove(process);
        process.kill();
    }

    /** Starts stopped services again, all at once, and waits until each is ready. */
    void restart(List<String> modules) {
        Map<String, JavaProcess> started = new HashMap<>();
        for (String module : modules) {
            int run = restarts.merge(module, 1, Integer::sum) + 1;
            started.put(module, track(module, JavaProcess.quarkus(module + "-run" + run, ROOT.resolve(module), LOGS,
                    serviceEnv.get(module))));
        }
        started.forEach((module, process) ->
                process.awaitAnswer(ports.get(module), "/q/health/ready", Duration.ofMinutes(3)));
    }

    /** The process of a running component, by name. */
    JavaProcess process(String name) {
        return byName.get(name);
    }

    /** Stops a service or the fleet simulator with SIGTERM and waits until it has exited. */
    void stop(String name) {
        stop(List.of(name));
    }

    /** Stops running components gracefully, all at once (see {@link JavaProcess#closeTogether}). */
    void stop(List<String> names) {
        List<JavaProcess> stopping = names.stream().map(name -> Objects.requireNonNull(byName.remove(name),
                () -> name + " is not running")).toList();
        processes.removeAll(stopping);
        JavaProcess.closeTogether(stopping);
    }

    private List<String> running(List<String> names) {
        return names.stream().filter(byName::containsKey).toList();
    }

    /** Starts a stopped service again with the environment it had, and waits until it is ready. */
    void restart(String module) {
        restart(List.of(module));
    }

    /** Starts a stopped service again with its environment changed by {@code changes}, from now on. */
    void restart(String module, Map<String, String> changes) {
        serviceEnv.get(module).putAll(changes);
        restart(List.of(module));
    }

    private Path kubeconfigFor(String module, String token) {
        try {
            Path file = dir.resolve(module + ".kubeconfig");
            Files.writeString(file, Files.readString(kubeconfig).replaceAll("(?m)^(\\s*token: ).*$", "$1" + token)
                    .replaceAll("(?m)^(\\s*server: https://[^:/]+:)" + apiPort + "\\b", "$1" + apiProxy.port()));
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts the fleet simulator with these options (server, token, Kafka and status port are filled in). */
    JavaProcess startFleet(String... options) {
        return startFleetWithHeap("256m", options);
    }

    /** As {@link #startFleet}, with a heap for thousands of nodes (each holds its own API client). */
    JavaProcess startFleetWithHeap(String maxHeap, String... options) {
        Path module = ROOT.resolve("fleet-simulator/target");
        Map<String, String> kafkaEnv = kafkaEnvironment(KafkaProcess.SUPER_USER);
        List<String> args = new ArrayList<>(List.of("-cp", module.resolve("fleet-simulator.jar") + ":"
                + module.resolve("lib") + "/*", "io.csrflow.fleet.FleetMain", "--server", apiUrl(),
                "--bootstrap-token", "bootstrap-token", "--kafka", kafkaEnv.get("KAFKA_BOOTSTRAP_SERVERS"),
                "--status-port", Integer.toString(fleetPort), "--crypto-provider", STAND_IN_CRYPTO));
        if (kafkaSecurity == Kafka.SASL_SSL) {
            args.addAll(List.of("--kafka-config", fleetKafkaConfig().toString()));
        }
        args.addAll(List.of(options));
        JavaProcess fleet = track("fleet-simulator", JavaProcess.start("fleet-simulator", LOGS, maxHeap, Map.of(),
                args.toArray(String[]::new)));
        return fleet.awaitAnswer(fleetPort, "/healthz", Duration.ofMinutes(2));
    }

    private Path fleetKafkaConfig() {
        java.util.Properties settings = new java.util.Properties();
        settings.putAll(kafkaSettings(KafkaProcess.SUPER_USER));
        Path file = dir.resolve("fleet-kafka.properties");
        try (var out = Files.newBufferedWriter(file)) {
            settings.store(out, "Kafka client settings of the fleet simulator");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    private JavaProcess track(JavaProcess process) {
        processes.add(process);
        return process;
    }

    private JavaProcess track(String name, JavaProcess process) {
        byName.put(name, process);
        return track(process);
    }

    @Override
    public void close() {
        // The fleet first, then the services together, the API and Kafka last: the reverse of starting.
        stop(running(List.of("fleet-simulator")));
        stop(running(SERVICES));
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        apiProxy.close();
        kafka.close();
    }
}
