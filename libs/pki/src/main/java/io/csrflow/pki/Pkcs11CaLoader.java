package io.csrflow.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;

/**
 * Reads a CA whose private key stays in a PKCS#11 token: the certificate from a file, the key as
 * a handle that only the JDK's SunPKCS11 provider bound to that token can sign with (it is
 * returned as {@link CertificateAuthority#signingProvider()}).
 *
 * <p>The token must hold, under one CKA_ID, the private key and the CA certificate labelled
 * {@link Pkcs11Settings#keyLabel()}: SunPKCS11's KeyStore shows a private key only together with
 * its certificate. The key must belong to the certificate in the certificate file; that file, not
 * the token's copy, is what the CA serves, so a certificate renewed for the same key needs no
 * token change.
 *
 * <p>Every load configures a new SunPKCS11 instance (not registered with {@link Security}): load
 * when the CA is (re)read, not per signature. PKCS#11 keeps one login per token and process, and
 * SunPKCS11 does not log in again while it lasts, so a wrong PIN shows at the first load of a
 * token in a process, not at a reload after a successful one.
 */
public final class Pkcs11CaLoader {
    // What PKCS#11 answers when the configured slot holds no token that can be used.
    private static final Set<String> NO_TOKEN = Set.of("CKR_SLOT_ID_INVALID", "CKR_TOKEN_NOT_PRESENT",
            "CKR_TOKEN_NOT_RECOGNIZED", "CKR_DEVICE_REMOVED");

    public CertificateAuthority load(Path certFile, Pkcs11Settings settings) throws CaLoadException {
        X509Certificate certificate = CaLoader.certificate(certFile);
        List<String> warnings = new ArrayList<>();
        CaLoader.openToOthers(settings.pinFile()).ifPresent(warnings::add);
        Provider token = configure(settings);
        PrivateKey key = key(token, settings);
        String keyName = "the key labelled '" + settings.keyLabel() + "' in the token in " + where(settings);
        String algorithm = CaLoader.signatureAlgorithm(key, keyName);
        if (!CaLoader.matches(certificate, key, algorithm, token)) {
            throw new CaLoadException(keyName + " does not belong to the certificate in " + certFile);
        }
        if (key.getEncoded() != null) {
            warnings.add(keyName + " can be read out of the token (CKA_SENSITIVE false or CKA_EXTRACTABLE true); "
                    + "a CA key should never leave it");
        }
        return new CertificateAuthority(certificate, key, Optional.of(token), algorithm, certFile, Optional.empty(),
                warnings);
    }

    private static Provider configure(Pkcs11Settings settings) throws CaLoadException {
        Path library = settings.library();
        if (!Files.isRegularFile(library)) {
            throw new CaLoadException("PKCS#11 library " + library + " does not exist");
        }
        Provider unconfigured = Security.getProvider("SunPKCS11");
        if (unconfigured == null) {
            throw new CaLoadException("this Java runtime has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        String slot = settings.slot() instanceof Pkcs11Settings.SlotId id
                ? "slot = " + id.id()
                : "slotListIndex = " + ((Pkcs11Settings.SlotListIndex) settings.slot()).index();
        String config = "--name = csrflow-ca\nlibrary = \"" + library + "\"\n" + slot + "\n";
        try {
            return unconfigured.configure(config);
        } catch (ProviderException | InvalidParameterException e) {
            String reason = innermostMessage(e);
            if (NO_TOKEN.contains(reason) || reason.startsWith("slotListIndex is")) {
                throw new CaLoadException("no usable token in " + where(settings) + " (" + reason + ")", e);
            }
            throw new CaLoadException(library + ": cannot be used as a PKCS#11 library: " + reason, e);
        }
    }

    private static PrivateKey key(Provider token, Pkcs11Settings settings) throws CaLoadException {
        char[] pin = pin(settings.pinFile());
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", token);
            store.load(null, pin);
            Key key = store.getKey(settings.keyLabel(), null);
            if (key instanceof PrivateKey privateKey) {
                return privateKey;
            }
            if (store.isCertificateEntry(settings.keyLabel())) {
                throw new CaLoadException("the token in " + where(settings) + " holds a certificate labelled '"
                        + settings.keyLabel() + "' but no private key with the same CKA_ID");
            }
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            throw new CaLoadException("no private key labelled '" + settings.keyLabel() + "' with its certificate "
                    + "in the token in " + where(settings) + "; its keys: " + keys);
        } catch (KeyStoreException e) {
            // Without a token in the slot SunPKCS11 offers no KeyStore at all.
            throw new CaLoadException("no usable token in " + where(settings) + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw loginFailed(e, settings);
        } catch (GeneralSecurityException e) {
            throw new CaLoadException("the token in " + where(settings) + " cannot be read: " + innermostMessage(e), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static CaLoadException loginFailed(IOException e, Pkcs11Settings settings) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof FailedLoginException) {
                return new CaLoadException("the PIN in " + settings.pinFile() + " is wrong for the token in "
                        + where(settings) + " (" + innermostMessage(e) + ")", e);
            }
            if (cause instanceof LoginException) {
                return new CaLoadException("the token in " + where(settings) + " refused to log in ("
                        + innermostMessage(e) + ")", e);
            }
        }
        return new CaLoadException("the token in " + where(settings) + " cannot be read: " + innermostMessage(e), e);
    }

    private static char[] pin(Path pinFile) throws CaLoadException {
        String text;
        try {
            text = Files.readString(pinFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CaLoadException(pinFile + ": cannot be read: " + e.getMessage(), e);
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new CaLoadException(pinFile + ": holds no PIN");
        }
        return text.substring(0, end).toCharArray();
    }

    private static String where(Pkcs11Settings settings) {
        return settings.slot() + " of " + settings.library();
    }

    // PKCS11Exception is not exported; its message is the return value's name, e.g. CKR_PIN_INCORRECT.
    private static String innermostMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
