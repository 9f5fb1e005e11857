package io.csrflow.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * {@code @QuarkusTestResource(KafkaTestResource.class)}: the shared real broker of
 * {@link KafkaBrokers}, with the contract's topics (3 partitions each) and the dead-letter topics created.
 */
public final class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        String bootstrap = KafkaBrokers.shared();
        KafkaBrokers.createTopics(bootstrap, 3, KafkaBrokers.contractTopics());
        KafkaBrokers.createTopics(bootstrap, 1, KafkaBrokers.deadLetterTopics());
        return KafkaBrokers.quarkusConfig(bootstrap);
    }

    @Override
    public void stop() {
        // The broker is shared by every test class in the JVM and stops with it.
    }
}
