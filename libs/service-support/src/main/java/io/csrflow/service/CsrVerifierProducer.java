package io.csrflow.service;

import java.security.Provider;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.pki.CsrVerifier;

/**
 * The one {@link CsrVerifier} of the services that verify CSRs (the approver before it decides, the
 * signer before it signs), built from the shared settings and the service's JCA provider. The
 * provider is looked up, not injected: services that verify nothing have none, and never ask.
 */
public class CsrVerifierProducer {
    @Produces
    @Singleton
    CsrVerifier verifier(CsrVerificationConfig config, Instance<Provider> provider) {
        return CsrVerification.verifier(config, provider.get());
    }
}
