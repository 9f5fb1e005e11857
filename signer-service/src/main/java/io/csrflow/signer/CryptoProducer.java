package io.csrflow.signer;

import java.security.Provider;
import java.security.SecureRandom;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CryptoProviders;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.service.CsrVerification;
import io.csrflow.service.CsrVerificationConfig;

/** The JCA provider, CSR verifier and issuer, built once from configuration. */
public class CryptoProducer {
    @Produces
    @Singleton
    Provider provider(SignerConfig config) {
        return CryptoProviders.named(config.signer().cryptoProvider(), "csrflow.signer.crypto-provider");
    }

    /** The same verification the approver runs before it decides ({@code csrflow.csr.*}). */
    @Produces
    @Singleton
    CsrVerifier verifier(CsrVerificationConfig config, Provider provider) {
        return CsrVerification.verifier(config, provider);
    }

    @Produces
    @Singleton
    CertificateIssuer issuer(Provider provider) {
        return new CertificateIssuer(provider, new SecureRandom());
    }
}
