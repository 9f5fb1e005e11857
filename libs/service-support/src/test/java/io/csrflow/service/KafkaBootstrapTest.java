package io.csrflow.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KafkaBootstrapTest {
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

    /** The names the test's resolver knows: a name "appears" when it is added. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lookups = new AtomicInteger();
    private KafkaBootstrap bootstrap;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "kafka:9092; kafka",
        "kafka-0.kafka:9093, kafka-1.kafka:9093; kafka-0.kafka|kafka-1.kafka",
        "127.0.0.1:9092; 127.0.0.1",
        "[::1]:9092; ::1",
        // Without a port Kafka refuses the setting itself; there is nothing to wait for.
        "kafka; ''",
    })
    void readsTheHostsOfBootstrapServersAsKafkaDoes(String servers, String hosts) {
        assertEquals(hosts.isEmpty() ? List.of() : List.of(hosts.split("\\|")), KafkaBootstrap.hosts(servers));
    }

    @Test
    void holdsTheClientsUntilTheBrokersNameResolvesAndSaysWhichNameItWaitsFor() {
        bootstrap = started("kafka.example:9092");
        AtomicInteger started = new AtomicInteger();
        bootstrap.whenResolvable(started::incrementAndGet);

        // Looked up again and again, still missing: nothing may have started.
        await().atMost(Duration.ofSeconds(5)).until(() -> lookups.get() >= 3);
        assertEquals(0, started.get(), "a Kafka client started before its broker's name resolves");
        assertEquals(Optional.of("bootstrap host kafka.example does not resolve yet"), bootstrap.waitingFor());

        known.add("kafka.example");
        assertTimeoutPreemptively(Duration.ofSeconds(5), bootstrap::await);
        assertEquals(1, started.get());
        assertEquals(Optional.empty(), bootstrap.waitingFor());
        bootstrap.whenResolvable(started::incrementAndGet);
        assertEquals(2, started.get(), "once the name resolves, clients start at once");
    }

    @Test
    void oneResolvableHostIsEnoughAsForTheKafkaClient() {
        known.add("kafka-1.kafka");
        bootstrap = started("kafka-0.kafka:9092,kafka-1.kafka:9092");
        AtomicInteger started = new AtomicInteger();
        bootstrap.whenResolvable(started::incrementAndGet);
        assertEquals(1, started.get());
        assertEquals(Optional.empty(), bootstrap.waitingFor());
    }

    @Test
    void namesEveryHostThatDoesNotResolve() {
        bootstrap = started("kafka-0.kafka:9092,kafka-1.kafka:9092");
        assertEquals(Optional.of("bootstrap hosts kafka-0.kafka, kafka-1.kafka do not resolve yet"),
                bootstrap.waitingFor());
    }

    private KafkaBootstrap started(String servers) {
        KafkaBootstrap created = new KafkaBootstrap(KafkaBootstrap.hosts(servers), host -> {
            lookups.incrementAndGet();
            return known.contains(host);
        }, QUICK);
        created.start();
        return created;
    }

    @AfterEach
    void stop() {
        if (bootstrap != null) {
            bootstrap.stop();
        }
    }
}
