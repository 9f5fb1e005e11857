package io.csrflow.scheduler;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fresh Kafka Streams state directory per test run: the test broker is new each run, and local
 * state left by an earlier run against another broker must not be mistaken for this one's.
 */
public final class StateDirTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        try {
            return Map.of("csrflow.scheduler.state-dir", Files.createTempDirectory("scheduler-state").toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        // the temporary directory goes with the machine's temp cleanup
    }
}
