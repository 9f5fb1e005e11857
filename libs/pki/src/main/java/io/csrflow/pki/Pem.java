package io.csrflow.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Certificates, requests and keys as PEM text, one block each, in order. */
public final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String DASHES = "-----";
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String END_CERTIFICATE = "-----END CERTIFICATE-----";

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
     * allows a chain after the leaf). Every block of the text must be a certificate, as the API
     * server requires of that field.
     *
     * @throws IllegalArgumentException if the text holds no X.509 certificate, or something else, saying why
     */
    public static X509Certificate firstCertificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("no certificate: the text is empty");
        }
        return certificates(pem).get(0);
    }

    /**
     * Every certificate of PEM text, such as a trust bundle: one or more blocks labelled
     * {@code CERTIFICATE}; text between blocks is allowed (RFC 7468), anything else is not.
     *
     * @throws IllegalArgumentException if the text holds something else than certificates, saying why
     */
    public static List<X509Certificate> certificates(String pem) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>(1);
            // The DER of each block is decoded here and handed over whole: given PEM text, the
            // JDK's factory reads it one byte at a time through a synchronized stream, which took
            // about as long as parsing the certificate (the scheduler reads every one it tracks).
            for (byte[] der : certificateBlocks(pem)) {
                X509Certificate certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
                if (certificate.getEncoded().length != der.length) {
                    throw new CertificateException("data follows the certificate inside its PEM block");
                }
                certificates.add(certificate);
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The DER of each {@code CERTIFICATE} block, in order. */
    private static List<byte[]> certificateBlocks(String pem) throws CertificateException {
        List<byte[]> blocks = new ArrayList<>(1);
        int at = pem == null ? -1 : pem.indexOf(BEGIN);
        if (at < 0) {
            throw new CertificateException("no " + BEGIN + "CERTIFICATE----- line in the text");
        }
        while (at >= 0) {
            int labelEnd = pem.indexOf(DASHES, at + BEGIN.length());
            if (labelEnd < 0) {
                throw new CertificateException("a " + BEGIN + " line does not end with -----");
            }
            String label = pem.substring(at + BEGIN.length(), labelEnd);
            if (!label.equals(CERTIFICATE)) {
                throw new CertificateException("a PEM block is labelled '" + label + "', not " + CERTIFICATE);
            }
            int bodyStart = labelEnd + DASHES.length();
            int end = pem.indexOf(END_CERTIFICATE, bodyStart);
            if (end < 0) {
                throw new CertificateException("a certificate block has no " + END_CERTIFICATE + " line");
            }
            blocks.add(base64(pem, bodyStart, end));
            at = pem.indexOf(BEGIN, end + END_CERTIFICATE.length());
        }
        return blocks;
    }

    /** The block's base64 without its line breaks; any other character is refused, not skipped. */
    private static byte[] base64(String pem, int from, int to) throws CertificateException {
        StringBuilder text = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = pem.charAt(i);
            if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
                text.append(c);
            }
        }
        if (text.length() == 0) {
            throw new CertificateException("a certificate block is empty");
        }
        try {
            return Base64.getDecoder().decode(text.toString());
        } catch (IllegalArgumentException e) {
            throw new CertificateException("a certificate block is not base64: " + e.getMessage(), e);
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
