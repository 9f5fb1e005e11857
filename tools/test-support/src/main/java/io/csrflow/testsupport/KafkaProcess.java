package io.csrflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Kafka broker (KRaft, combined mode) in a child JVM on fixed ports and a fixed data
 * directory, so that a test can stop it (an outage) and start it again with its data, as an
 * operator restarting the broker would. Runs {@code kafka.tools.StorageTool} and {@code kafka.Kafka}
 * from the test's own class path.
 *
 * <p>{@link #withSaslSsl()} adds a second listener as production brokers have it: TLS (a broker
 * certificate for 127.0.0.1 from a CA the clients trust) and SASL/SCRAM-SHA-512 with one user.
 * The plaintext listener stays for the broker itself and for the test's own inspection.
 *
 * <p>{@link #withSaslSslAndAcls} also turns on the broker's authorizer, as a production cluster
 * with per-service users has it: each named user gets its own SCRAM password and may do only what
 * ACLs allow; the test's user and the plaintext listener are super users.
 */
public final class KafkaProcess implements AutoCloseable {
    static final String SCRAM_USER = "csrflow";
    /** The test's own SASL user, a super user when ACLs are on. */
    public static final String SUPER_USER = SCRAM_USER;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int securePort;
    private final Map<String, String> scramPasswords = new LinkedHashMap<>();
    private final boolean acls;
    private Process process;

    public KafkaProcess() {
        this(false, List.of());
    }

    /** A broker that also listens with SASL_SSL; see {@link #secureBootstrapServers()}. */
    public static KafkaProcess withSaslSsl() {
        return new KafkaProcess(true, List.of());
    }

    /**
     * A SASL_SSL broker that authorizes: {@code users} each get a SCRAM password
     * ({@link #secureClientSettings(String)}) and no rights until ACLs grant them.
     */
    public static KafkaProcess withSaslSslAndAcls(Collection<String> users) {
        return new KafkaProcess(true, users);
    }

    private KafkaProcess(boolean saslSsl, Collection<String> aclUsers) {
        try {
            this.dir = Files.createTempDirectory("csrflow-kafka-process");
            this.port = freePort();
            this.controllerPort = freePort();
            this.securePort = saslSsl ? freePort() : -1;
            this.acls = !aclUsers.isEmpty();
            if (saslSsl) {
                scramPasswords.put(SCRAM_USER, UUID.randomUUID().toString());
                aclUsers.forEach(user -> scramPasswords.put(user, UUID.randomUUID().toString()));
            }
            writeConfig();
            List<String> format = new java.util.ArrayList<>(List.of("format", "-t", "csrflow-test-cluster-1", "-c",
                    dir.resolve("server.properties").toString()));
            if (saslSsl) {
                BrokerKeystore.create(dir);
                scramPasswords.forEach((user, password) -> format.addAll(List.of("--add-scram",
                        "SCRAM-SHA-512=[name=" + user + ",password=" + password + "]")));
            }
            Process formatting = java("kafka.tools.StorageTool", format.toArray(String[]::new));
            if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + dir.resolve("broker.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The plaintext listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_SSL listener of a broker made by {@link #withSaslSsl()}. */
    public String secureBootstrapServers() {
        if (securePort < 0) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return "127.0.0.1:" + securePort;
    }

    /**
     * What a client needs besides the bootstrap servers to use the SASL_SSL listener, as Kafka
     * client properties: the broker's CA as a PEM trust store, the SCRAM user and its password.
     */
    public Map<String, String> secureClientSettings() {
        return secureClientSettings(SCRAM_USER);
    }

    /** As {@link #secureClientSettings()}, for one of the users given to {@link #withSaslSslAndAcls}. */
    public Map<String, String> secureClientSettings(String user) {
        secureBootstrapServers();
        String password = scramPasswords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user + " on this broker");
        }
        return Map.of("security.protocol", "SASL_SSL",
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", BrokerKeystore.caFile(dir).toString(),
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    /** Starts the broker and waits until it answers. */
    public synchronized KafkaProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            process = java("kafka.Kafka", dir.resolve("server.properties").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(Duration.ofSeconds(60));
        return this;
    }

    /** Stops the broker with SIGTERM, as a controlled shutdown. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        JavaProcess.terminate(process, Duration.ofSeconds(30));
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitReady(Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka broker exited; see " + dir.resolve("broker.log"));
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // still starting
                }
            }
        }
        throw new IllegalStateException("Kafka broker not ready after " + timeout + "; see " + dir.resolve("broker.log"));
    }

    private Process java(String mainClass, String... args) throws IOException {
        List<String> command = JavaProcess.javaCommand("512m");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    }

    private void writeConfig() throws IOException {
        String secure = securePort < 0 ? "" : """
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d,SASL_SSL://127.0.0.1:%3$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d,SASL_SSL://127.0.0.1:%3$d
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
                sasl.enabled.mechanisms=SCRAM-SHA-512
                listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
                ssl.keystore.type=PKCS12
                ssl.keystore.location=%4$s
                ssl.keystore.password=%5$s
                """.formatted(port, controllerPort, securePort, BrokerKeystore.keystoreFile(dir),
                        BrokerKeystore.PASSWORD);
        // The plaintext listeners (the controller, the test's inspection) act as ANONYMOUS.
        String authorizer = !acls ? "" : """
                authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
                super.users=User:ANONYMOUS;User:%s
                allow.everyone.if.no.acl.found=false
                """.formatted(SCRAM_USER);
        String config = """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%d
                listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d
                advertised.listeners=PLAINTEXT://127.0.0.1:%d
                controller.listener.names=CONTROLLER
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                inter.broker.listener.name=PLAINTEXT
                log.dirs=%s
                num.partitions=3
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                log.retention.ms=%s
                """.formatted(controllerPort, port, controllerPort, port, dir.resolve("data"),
                        KafkaBrokers.NO_TIME_RETENTION);
        // Later keys win in a properties file: the secure listeners replace the plain ones.
        Files.writeString(dir.resolve("server.properties"), config + secure + authorizer);
    }

    private static int freePort() {
        return JavaProcess.freePort();
    }
}
