package io.csrflow.kafkalocal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

import io.csrflow.events.EventType;
import io.csrflow.events.Topics;

/**
 * {@code java -jar kafka-local.jar ready BOOTSTRAP [TIMEOUT_SECONDS]}: waits until a producer can
 * write to the broker (acks=all). {@code topics BOOTSTRAP [PARTITIONS]}: creates csrflow's topics
 * and the services' dead-letter topics if they are missing.
 */
public final class KafkaLocal {
    private static final String PROBE_TOPIC = "csrflow.local.ready";

    private KafkaLocal() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ready BOOTSTRAP [TIMEOUT_SECONDS] | topics BOOTSTRAP [PARTITIONS]");
            System.exit(2);
        }
        switch (args[0]) {
            case "ready" -> System.exit(awaitWritable(args[1], Duration.ofSeconds(arg(args, 2, 60))) ? 0 : 1);
            case "topics" -> createTopics(args[1], arg(args, 2, 6));
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    private static int arg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    static boolean awaitWritable(String bootstrap, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        while (System.nanoTime() < deadline) {
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(PROBE_TOPIC, "ready", "ready")).get(6, TimeUnit.SECONDS);
                return true;
            } catch (Exception notYet) {
                Thread.sleep(500);
            }
        }
        System.err.println("Kafka at " + bootstrap + " did not accept a write within " + timeout);
        return false;
    }

    static void createTopics(String bootstrap, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<NewTopic> wanted = new ArrayList<>();
        for (EventType<?> type : EventType.ALL) {
            wanted.add(new NewTopic(type.defaultTopic(), partitions, (short) 1));
        }
        for (String consumer : List.of("approver-service", "signer-service", "rotation-scheduler")) {
            wanted.add(new NewTopic(Topics.deadLetter(consumer), 1, (short) 1)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(Duration.ofDays(14).toMillis()))));
        }
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            missing.forEach(t -> System.out.println("created topic " + t.name() + " (" + t.numPartitions()
                    + " partitions)"));
        }
    }
}
