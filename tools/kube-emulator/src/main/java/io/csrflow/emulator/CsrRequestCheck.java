package io.csrflow.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The PEM checks the API server applies to {@code spec.request} and {@code status.certificate}.
 * Each method returns null when the content is acceptable, or the reason it is not.
 */
final class CsrRequestCheck {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private CsrRequestCheck() {
    }

    static String requestProblem(byte[] pem) {
        PemObject block;
        try {
            block = firstBlock(pem);
        } catch (IOException | RuntimeException e) {
            // Bouncy Castle reports bad base64 inside a block as an unchecked DecoderException.
            return "PEM block is malformed: " + e.getMessage();
        }
        if (block == null) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
        if (!block.getType().equals("CERTIFICATE REQUEST")) {
            return "PEM block type must be CERTIFICATE REQUEST, not " + block.getType();
        }
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(block.getContent());
            boolean valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC)
                    .build(csr.getSubjectPublicKeyInfo()));
            return valid ? null : "x509: CSR signature verification failed";
        } catch (IOException | RuntimeException e) {
            return "x509: malformed certificate request: " + e.getMessage();
        } catch (OperatorCreationException | PKCSException e) {
            return "x509: cannot verify CSR signature: " + e.getMessage();
        }
    }

    static String certificateProblem(byte[] pem) {
        int blocks = 0;
        try (PemReader reader = reader(pem)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                if (!block.getType().equals("CERTIFICATE")) {
                    return "only CERTIFICATE PEM blocks are allowed, found \"" + block.getType() + "\"";
                }
                if (!block.getHeaders().isEmpty()) {
                    return "no PEM block headers are permitted";
                }
                factory.generateCertificate(new ByteArrayInputStream(block.getContent()));
                blocks++;
            }
        } catch (IOException | CertificateException e) {
            return "failed to parse certificate: " + e.getMessage();
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    private static PemObject firstBlock(byte[] pem) throws IOException {
        try (PemReader reader = reader(pem)) {
            return reader.readPemObject();
        }
    }

    private static PemReader reader(byte[] pem) {
        Reader text = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
        return new PemReader(text);
    }
}
