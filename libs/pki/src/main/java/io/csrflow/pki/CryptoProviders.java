package io.csrflow.pki;

import java.security.Provider;
import java.security.Security;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import io.csrflow.nativecrypto.Accp;

/**
 * The JCA provider a service is configured with: {@code auto} (the default: Amazon Corretto
 * Crypto Provider where its native library loads and passes its self-tests, else Bouncy Castle),
 * {@code ACCP}, {@code BC}, or a registered provider's name (e.g. {@code SunEC}). The choice is by
 * measurement: docs/performance.md.
 */
public final class CryptoProviders {
    public static final String AUTO = "auto";
    public static final String ACCP = "ACCP";
    public static final String BC = "BC";

    private CryptoProviders() {
    }

    /** @param configKey named in the error, e.g. {@code csrflow.signer.crypto-provider} */
    public static Provider named(String name, String configKey) {
        switch (name) {
            case AUTO:
                return accpProblem() == null ? Accp.provider() : new BouncyCastleProvider();
            case ACCP: {
                String problem = accpProblem();
                if (problem != null) {
                    throw new IllegalArgumentException(configKey + ": the Amazon Corretto Crypto Provider cannot be "
                            + "used here: " + problem + " (use auto or BC)");
                }
                return Accp.provider();
            }
            case BC:
                return new BouncyCastleProvider();
            default: {
                Provider provider = Security.getProvider(name);
                if (provider == null) {
                    throw new IllegalArgumentException(configKey + ": no JCA provider named " + name
                            + " (auto, ACCP, BC or a registered provider)");
                }
                return provider;
            }
        }
    }

    /** Why ACCP cannot be used on this machine, or null if it can. */
    static String accpProblem() {
        return Accp.problem();
    }
}
