package io.csrflow.scheduler.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.csrflow.scheduler.SchedulerRuntime;
import io.csrflow.scheduler.streams.SchedulerStreams;

/**
 * Ready when Kafka Streams runs with its state restored and, if a trust bundle is configured, the
 * bundle is usable; not live only when every stream thread has died, which a restart is the remedy
 * for. Waiting for topics, restoring or an unusable trust bundle is not-ready, never not-live: a
 * restart would only start the restore again, and would not mount the bundle.
 */
public final class InventoryHealth {
    private InventoryHealth() {
    }

    static HealthCheckResponseBuilder describe(SchedulerRuntime runtime) {
        SchedulerStreams streams = runtime.streams();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("inventory")
                .withData("trustBundle", runtime.settings().trust().describe());
        if (streams == null) {
            return b.withData("phase", "STARTING");
        }
        SchedulerStreams.Status s = streams.status();
        b.withData("phase", s.phase()).withData("restoredRecords", s.restoredRecords());
        if (s.detail() != null) {
            b.withData("detail", s.detail());
        }
        return b;
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final SchedulerRuntime runtime;

        Ready(SchedulerRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public HealthCheckResponse call() {
            boolean running = runtime.streams() != null && runtime.streams().status().running();
            return describe(runtime).status(running).build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final SchedulerRuntime runtime;

        Live(SchedulerRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public HealthCheckResponse call() {
            boolean failed = runtime.streams() != null && runtime.streams().failed();
            return describe(runtime).status(!failed).build();
        }
    }
}
