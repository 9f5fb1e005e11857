package io.csrflow.pki;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A signing CA: its certificate, private key and the files they came from. {@code warnings} are
 * problems worth telling an operator that do not stop signing (a key file readable by others).
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key, String signatureAlgorithm,
                                   Path certFile, Path keyFile, List<String> warnings) {

    public CertificateAuthority {
        warnings = List.copyOf(warnings);
    }
}
