package io.csrflow.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Certificates, requests and keys as PEM text, one block each, in order. */
public final class Pem {
    private static final String DASHES = "-----";
    private static final String BEGIN = DASHES + "BEGIN ";
    private static final String END = DASHES + "END ";
    private static final String BEGIN_CERTIFICATE = BEGIN + "CERTIFICATE" + DASHES;
    private static final String END_CERTIFICATE = END + "CERTIFICATE" + DASHES;

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
     * {@code CERTIFICATE}, each BEGIN and END line a line of its own; other lines between blocks
     * are explanatory text (RFC 7468), as the JDK and Go's {@code pem.Decode} take them.
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
                // Definite length only: handed an indefinite one, the JDK's stream reader recurses
                // once per nesting level, and a few kilobytes of 30 80 overflow the stack.
                if (der.length < 2 || der[0] != 0x30 || der[1] == (byte) 0x80) {
                    throw new CertificateException("a certificate block does not hold a DER SEQUENCE of definite length");
                }
                X509Certificate certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
                // The JDK re-encodes BER as DER and ignores what follows the certificate: only the
                // exact DER of the certificate, and nothing after it, is taken.
                if (!Arrays.equals(certificate.getEncoded(), der)) {
                    throw new CertificateException("a certificate block holds more than the certificate's DER encoding"
                            + " (data after it, or a BER encoding)");
                }
                certificates.add(certificate);
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The DER of each {@code CERTIFICATE} block, in order, read line by line. */
    private static List<byte[]> certificateBlocks(String pem) throws CertificateException {
        List<byte[]> blocks = new ArrayList<>(1);
        StringBuilder body = null;
        int length = pem == null ? 0 : pem.length();
        for (int from = 0; from < length; ) {
            int newline = pem.indexOf('\n', from);
            int lineEnd = newline < 0 ? length : newline;
            String line = pem.substring(from, lineEnd).stripTrailing();
            from = lineEnd + 1;
            if (body == null) {
                if (line.startsWith(BEGIN)) {
                    if (!line.equals(BEGIN_CERTIFICATE)) {
                        throw new CertificateException("a PEM block begins with '" + shown(line) + "', not "
                                + BEGIN_CERTIFICATE);
                    }
                    body = new StringBuilder(1024);
                } else if (line.startsWith(END)) {
                    throw new CertificateException("'" + shown(line) + "' ends no block");
                }
                continue; // explanatory text
            }
            if (line.equals(END_CERTIFICATE)) {
                blocks.add(base64(body));
                body = null;
            } else if (line.startsWith(DASHES)) {
                throw new CertificateException("a certificate block ends with '" + shown(line) + "', not "
                        + END_CERTIFICATE);
            } else {
                body.append(line.strip());
            }
        }
        if (body != null) {
            throw new CertificateException("a certificate block has no " + END_CERTIFICATE + " line");
        }
        if (blocks.isEmpty()) {
            throw new CertificateException("no " + BEGIN_CERTIFICATE + " line in the text");
        }
        return blocks;
    }

    /** A line as an error shows it: the start of it only, since the text may be anything, and large. */
    private static String shown(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }

    /** A block's base64; any character that is not base64 is refused, not skipped. */
    private static byte[] base64(StringBuilder text) throws CertificateException {
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
        // Bouncy Castle ends lines with the platform's separator; published bundles are compared as
        // text, so every JVM must write the same text for the same certificates.
        String text = out.toString();
        return "\n".equals(System.lineSeparator()) ? text : text.replace(System.lineSeparator(), "\n");
    }
}
