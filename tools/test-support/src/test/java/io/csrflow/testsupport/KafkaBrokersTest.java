package io.csrflow.testsupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.events.CsrPhase;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;
import io.csrflow.events.Requester;

/** The broker tests get is a real Kafka broker: events go through it and come back decoded. */
class KafkaBrokersTest {
    @Test
    void sharedBrokerCarriesAnEventRoundTrip() throws Exception {
        String bootstrap = KafkaBrokers.shared();
        KafkaBrokers.createTopics(bootstrap, 3, KafkaBrokers.contractTopics());
        CsrObserved event = new CsrObserved("probe-csr", "uid", "1", "example.com/signer", null, List.of(),
                null, new Requester("u", null, null, null), List.of(), null, CsrPhase.PENDING, null,
                java.time.Instant.now());
        try (EventProbe<CsrObserved> probe = EventProbe.onDefaultTopic(bootstrap, EventType.CSR_OBSERVED);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            producer.send(new EventCodec("/test", Clock.systemUTC()).encode(EventType.CSR_OBSERVED, event)
                    .toProducerRecord(EventType.CSR_OBSERVED.defaultTopic())).get(30, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(30)).until(() -> !probe.received().isEmpty());
            assertEquals(event, probe.received().get(0).data());
            assertEquals("probe-csr", probe.received().get(0).key());
        }
        assertTrue(List.of("external", "testcontainers", "in-process").contains(KafkaBrokers.kind()));
    }

    @Test
    void brokerProcessSurvivesARestartWithItsData() throws Exception {
        try (KafkaProcess broker = new KafkaProcess().start()) {
            KafkaBrokers.createTopics(broker.bootstrapServers(), 1, List.of("restart-check"));
            try (KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers())) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("restart-check", "k",
                        new byte[] {1})).get(30, TimeUnit.SECONDS);
            }
            broker.stop();
            broker.start();
            Properties props = new Properties();
            props.put("bootstrap.servers", broker.bootstrapServers());
            try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("restart-check"));
            }
        }
    }

    /** TLS with hostname verification and SCRAM: a client with the settings gets in, a wrong password does not. */
    @Test
    void saslSslListenerTakesOnlyTheScramUserOverTls() throws Exception {
        try (KafkaProcess broker = KafkaProcess.withSaslSsl().start()) {
            Properties props = new Properties();
            props.putAll(broker.secureClientSettings());
            props.put("bootstrap.servers", broker.secureBootstrapServers());
            props.put("request.timeout.ms", "10000");
            props.put("default.api.timeout.ms", "15000");
            try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
            }
            props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"csrflow\" password=\"wrong\";");
            try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
                var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
                assertTrue(failure.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException,
                        failure.getCause().toString());
            }
        }
    }

    /**
     * A broker with authorization enforces what a Strimzi KafkaUser grants: the user reads and
     * commits where its ACLs say, and is refused writing to a topic it may only read.
     */
    @Test
    void aKafkaUsersAclsAreEnforcedByTheBroker() throws Exception {
        JsonNode user = YamlDocuments.parse("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata: {name: reader}
                spec:
                  authentication: {type: scram-sha-512}
                  authorization:
                    type: simple
                    acls:
                      - {resource: {type: topic, name: acl-, patternType: prefix}, operations: [Read, Describe]}
                      - {resource: {type: group, name: reader-group}, operations: [Read]}
                """).get(0);
        try (KafkaProcess broker = KafkaProcess.withSaslSslAndAcls(List.of("reader")).start()) {
            KafkaBrokers.createTopics(broker.bootstrapServers(), 1, List.of("acl-topic"));
            KafkaUserAcls.apply(broker.bootstrapServers(), KafkaUserAcls.of(user));
            try (KafkaProducer<String, byte[]> admin = producer(broker.bootstrapServers())) {
                admin.send(new ProducerRecord<>("acl-topic", "k", new byte[] {1})).get(30, TimeUnit.SECONDS);
            }
            Properties props = new Properties();
            props.putAll(broker.secureClientSettings("reader"));
            props.put("bootstrap.servers", broker.secureBootstrapServers());
            props.put("group.id", "reader-group");
            props.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("acl-topic"));
                List<ConsumerRecord<String, byte[]>> read = new java.util.ArrayList<>();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (read.isEmpty() && System.nanoTime() < until) {
                    consumer.poll(java.time.Duration.ofMillis(500)).forEach(read::add);
                }
                assertEquals(1, read.size());
                consumer.commitSync();
            }
            props.put("max.block.ms", "15000");
            // An idempotent producer with no Write anywhere is refused at the cluster first; the
            // point here is the topic's ACL.
            props.put("enable.idempotence", "false");
            try (KafkaProducer<String, byte[]> reader = new KafkaProducer<>(props, new StringSerializer(),
                    new ByteArraySerializer())) {
                var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> reader.send(new ProducerRecord<>("acl-topic", "k", new byte[] {2})).get(30, TimeUnit.SECONDS));
                assertTrue(failure.getCause() instanceof org.apache.kafka.common.errors.TopicAuthorizationException,
                        failure.getCause().toString());
            }
        }
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
