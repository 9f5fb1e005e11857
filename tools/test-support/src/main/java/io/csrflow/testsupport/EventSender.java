package io.csrflow.testsupport;

import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.csrflow.events.EventCodec;
import io.csrflow.events.EventType;

/**
 * Plays another service in a test: sends contract events (as the watcher or the approver would), or
 * raw bytes (as a broken producer would), and waits for the broker's acknowledgement.
 */
public final class EventSender implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec;

    public EventSender(String bootstrapServers, String source) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        codec = new EventCodec(source, Clock.systemUTC());
    }

    public <T> void send(EventType<T> type, T payload) {
        await(codec.encode(type, payload).toProducerRecord(type.defaultTopic()));
    }

    /** A record as given (any topic, key and headers), waiting for the broker's acknowledgement. */
    public void sendRecord(ProducerRecord<String, byte[]> record) {
        await(record);
    }

    public void sendRaw(String topic, String key, byte[] value) {
        await(new ProducerRecord<>(topic, key, value));
    }

    private void await(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + record.topic(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
