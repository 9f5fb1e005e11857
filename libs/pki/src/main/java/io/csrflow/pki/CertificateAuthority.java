package io.csrflow.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A signing CA: its certificate, private key and where they came from. {@code warnings} are
 * problems worth telling an operator that do not stop signing (a key file readable by others).
 *
 * <p>Whoever signs with {@link #key()} must use {@code ca.signingProvider().orElse(configured)}:
 * a key that lives in a PKCS#11 token is a handle that only the SunPKCS11 instance bound to that
 * token can use, while a key read from a file is signed with the provider the service is
 * configured with (ACCP or Bouncy Castle, see {@link CryptoProviders}).
 *
 * @param signingProvider the provider that must perform signatures with {@code key}; empty for a
 *        key read from a file (the caller's configured provider signs)
 * @param keyFile the PEM file the key was read from; empty when the key is in a PKCS#11 token
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key, Optional<Provider> signingProvider,
                                   String signatureAlgorithm, Path certFile, Optional<Path> keyFile,
                                   List<String> warnings) {

    public CertificateAuthority {
        Objects.requireNonNull(signingProvider, "signingProvider");
        Objects.requireNonNull(keyFile, "keyFile");
        warnings = List.copyOf(warnings);
    }
}
