package io.csrflow.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A broker of the test class's own, in a child process, for tests that stop and restart Kafka.
 * Fields annotated {@link InjectKafkaProcess} receive it.
 */
public final class KafkaProcessTestResource implements QuarkusTestResourceLifecycleManager {
    private KafkaProcess broker;

    @Override
    public Map<String, String> start() {
        broker = new KafkaProcess().start();
        KafkaBrokers.createTopics(broker.bootstrapServers(), 3, KafkaBrokers.contractTopics());
        return KafkaBrokers.quarkusConfig(broker.bootstrapServers());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaProcess.class, KafkaProcess.class));
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
