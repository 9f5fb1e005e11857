package io.csrflow.testsupport;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import io.csrflow.events.EventType;
import io.csrflow.events.Topics;

/**
 * The one way tests get a real Kafka broker, shared by every test in a JVM:
 * {@code KAFKA_BOOTSTRAP_SERVERS} if set; else Testcontainers' Kafka when a Docker engine answers;
 * else an in-process KRaft broker from {@code kafka-test-common-runtime}.
 */
public final class KafkaBrokers {
    /** The image Testcontainers runs, at the Kafka version the Quarkus BOM pins for the clients. */
    static final String KAFKA_IMAGE = "apache/kafka:4.1.2";

    private static String shared;
    private static String kind;

    private KafkaBrokers() {
    }

    public static synchronized String shared() {
        if (shared == null) {
            shared = startShared();
        }
        return shared;
    }

    /** Which of the three ways {@link #shared()} took: external, testcontainers or in-process. */
    public static synchronized String kind() {
        shared();
        return kind;
    }

    /**
     * Tests pin the services' clocks months in the past, and services stamp records with their
     * clock (a renewal notice carries the time it was decided). With the default seven days of
     * retention such records are already expired when written, and the broker's retention check
     * (every five minutes) may delete them, even from the active segment, before a test has read
     * them; so test brokers keep records regardless of age.
     */
    static final String NO_TIME_RETENTION = "-1";

    private static String startShared() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            kind = "external";
            return external;
        }
        if (dockerAnswers()) {
            KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                    .withEnv("KAFKA_LOG_RETENTION_MS", NO_TIME_RETENTION);
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            kind = "testcontainers";
            return container.getBootstrapServers();
        }
        kind = "in-process";
        return startInProcess();
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String startInProcess() {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(Files.createTempDirectory("csrflow-kafka"))
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("num.partitions", "3")
                    .setConfigProp("log.retention.ms", NO_TIME_RETENTION)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception e) {
                    // The JVM is exiting; a broker that does not close cleanly loses nothing we need.
                }
            }));
            return cluster.bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-process Kafka broker", e);
        }
    }

    /** Creates the topics (ignoring those that exist) with the given partition count. */
    public static void createTopics(String bootstrapServers, int partitions, List<String> topics) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> newTopics = new ArrayList<>();
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    newTopics.add(new NewTopic(topic, partitions, (short) 1));
                }
            }
            try {
                admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + topics + " on " + bootstrapServers, e);
        }
    }

    /** The dead-letter topics of the three consumers. */
    public static List<String> deadLetterTopics() {
        return Stream.of("approver-service", "signer-service", "rotation-scheduler")
                .map(Topics::deadLetter).toList();
    }

    /** The four topics of the contract, with their default names. */
    public static List<String> contractTopics() {
        return EventType.ALL.stream().map(EventType::defaultTopic).toList();
    }

    /** Quarkus configuration that points the Kafka connector at a broker, never at Dev Services. */
    public static Map<String, String> quarkusConfig(String bootstrapServers) {
        return Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "quarkus.kafka.devservices.enabled", "false");
    }
}
