package io.csrflow.signer;

import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrLimits;

/** The JCA provider, parser and issuer, built once from configuration. */
public class CryptoProducer {
    @Produces
    @Singleton
    Provider provider(SignerConfig config) {
        String name = config.signer().cryptoProvider();
        if ("BC".equals(name)) {
            return new BouncyCastleProvider();
        }
        Provider provider = Security.getProvider(name);
        if (provider == null) {
            throw new IllegalArgumentException("csrflow.signer.crypto-provider: no JCA provider named " + name);
        }
        return provider;
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
