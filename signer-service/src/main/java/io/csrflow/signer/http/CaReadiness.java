package io.csrflow.signer.http;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.csrflow.signer.ca.CaRegistry;

/** Ready while at least one signer has a loaded CA; lists what is served until when. */
@Readiness
@ApplicationScoped
public class CaReadiness implements HealthCheck {
    private final CaRegistry cas;

    CaReadiness(CaRegistry cas) {
        this.cas = cas;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("ca").status(!cas.all().isEmpty());
        cas.describe().forEach(builder::withData);
        return builder.build();
    }
}
