package io.csrflow.pki;

import java.security.Provider;
import java.security.Security;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The JCA provider a service is configured with: {@code BC} (Bouncy Castle) or a registered provider's name. */
public final class CryptoProviders {
    private CryptoProviders() {
    }

    /** @param configKey named in the error, e.g. {@code csrflow.signer.crypto-provider} */
    public static Provider named(String name, String configKey) {
        if ("BC".equals(name)) {
            return new BouncyCastleProvider();
        }
        Provider provider = Security.getProvider(name);
        if (provider == null) {
            throw new IllegalArgumentException(configKey + ": no JCA provider named " + name);
        }
        return provider;
    }
}
