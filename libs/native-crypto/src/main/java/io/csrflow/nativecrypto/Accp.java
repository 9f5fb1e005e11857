package io.csrflow.nativecrypto;

import java.security.Provider;
import java.security.Security;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

/**
 * The Amazon Corretto Crypto Provider (AWS-LC, native): whether it can be used on this machine, and
 * putting it first in a JVM. Its own module so that the API emulator, which the libraries' tests run
 * on, can use it too.
 */
public final class Accp {
    static final String NAMED_GROUPS = "jdk.tls.namedGroups";

    private Accp() {
    }

    public static Provider provider() {
        return AmazonCorrettoCryptoProvider.INSTANCE;
    }

    /** Why ACCP cannot be used on this machine, or null if it can (its jar is for linux-x86_64 only). */
    public static String problem() {
        try {
            Throwable loading = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
            if (loading != null) {
                return loading.toString();
            }
            AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
            return null;
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /**
     * Puts ACCP first among this JVM's JCA providers, where it loads and passes its self-tests, so
     * that whatever names no provider (TLS handshakes and records in JSSE, key generation, signatures
     * through Bouncy Castle's JCA builders) runs in its native code; the JDK's providers stay behind it
     * for what ACCP does not offer (X.509 parsing, X25519, PBE). For programs that make many TLS
     * connections and keys: the fleet simulator, the API emulator. Call it before anything uses TLS.
     *
     * @return what the JVM uses now, for the log
     */
    public static String preferFirst() {
        String problem = problem();
        if (problem != null) {
            return "the JDK's providers (ACCP cannot be used here: " + problem + ")";
        }
        Security.insertProviderAt(AmazonCorrettoCryptoProvider.INSTANCE, 1);
        // ACCP (2.5) offers no X25519 key agreement, the group the JDK's TLS offers first: with P-256
        // first the key exchange is native too. JSSE reads this when it first starts; a setting given
        // on the command line stays.
        if (System.getProperty(NAMED_GROUPS) == null) {
            System.setProperty(NAMED_GROUPS, "secp256r1,x25519,secp384r1,secp521r1,x448");
        }
        return "ACCP " + AmazonCorrettoCryptoProvider.INSTANCE.getVersionStr() + " first, then the JDK's providers; "
                + "TLS groups " + System.getProperty(NAMED_GROUPS);
    }
}
