package io.csrflow.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Certificates, requests and keys as PEM text, one block each, in order. */
public final class Pem {
    private Pem() {
    }

    public static String of(X509Certificate certificate) {
        return of(List.of(certificate));
    }

    public static String of(List<X509Certificate> certificates) {
        return write(certificates.toArray());
    }

    /**
     * Any object Bouncy Castle's PEM writer knows (a certificate, a PKCS#10 request, a
     * {@code JcaPKCS8Generator} for a private key).
     */
    public static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                if (object instanceof org.bouncycastle.util.io.pem.PemObjectGenerator generator) {
                    writer.writeObject(generator);
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM", e);
        }
        return out.toString();
    }
}
