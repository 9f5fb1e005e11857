package io.csrflow.service;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;

/**
 * The service's {@link CsrTracing}: spans only when the OpenTelemetry SDK is on and traces are
 * enabled, which is when they are exported. With the SDK disabled (the default outside a cluster)
 * Quarkus still provides an SDK, but one without a processor, so its spans would go nowhere.
 */
public class CsrTracingProducer {
    @Produces
    @Singleton
    CsrTracing csrTracing(OpenTelemetry openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled,
            @ConfigProperty(name = "quarkus.otel.traces.enabled", defaultValue = "true") boolean tracesEnabled) {
        return !sdkDisabled && tracesEnabled ? CsrTracing.exportedBy(openTelemetry) : CsrTracing.off();
    }
}
