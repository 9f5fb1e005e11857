package io.csrflow.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
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
     * The first certificate of PEM text, as in a CSR's {@code status.certificate} (the API server
     * allows a chain after the leaf).
     *
     * @throws IllegalArgumentException if the text holds no X.509 certificate, saying why
     */
    public static X509Certificate firstCertificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("no certificate: the text is empty");
        }
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the text");
            }
            return (X509Certificate) certificates.iterator().next();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Every certificate of PEM text, such as a trust bundle.
     *
     * @throws IllegalArgumentException if the text holds something else than certificates, saying why
     */
    public static List<X509Certificate> certificates(String pem) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not PEM X.509 certificates: " + e.getMessage(), e);
        }
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
