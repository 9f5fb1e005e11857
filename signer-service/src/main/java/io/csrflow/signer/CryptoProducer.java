package io.csrflow.signer;

import java.security.Provider;
import java.security.SecureRandom;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CryptoProviders;

/** The JCA provider, CSR verifier and issuer, built once from configuration. */
public class CryptoProducer {
    @Produces
    @Singleton
    Provider provider(SignerConfig config) {
        return CryptoProviders.named(config.signer().cryptoProvider(), "csrflow.signer.crypto-provider");
    }

    @Produces
    @Singleton
    CertificateIssuer issuer(Provider provider) {
        return new CertificateIssuer(provider, new SecureRandom());
    }
}
