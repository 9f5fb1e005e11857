package io.csrflow.signer;

import java.security.Provider;
import java.security.SecureRandom;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CryptoProviders;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrLimits;

/** The JCA provider, parser and issuer, built once from configuration. */
public class CryptoProducer {
    @Produces
    @Singleton
    Provider provider(SignerConfig config) {
        return CryptoProviders.named(config.signer().cryptoProvider(), "csrflow.signer.crypto-provider");
    }

    @Produces
    @Singleton
    CsrParser parser(Provider provider) {
        return new CsrParser(CsrLimits.defaults(), provider);
    }

    @Produces
    @Singleton
    CertificateIssuer issuer(Provider provider) {
        return new CertificateIssuer(provider, new SecureRandom());
    }
}
