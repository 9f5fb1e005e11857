package io.csrflow.emulator;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What a kubelet and a signer make for PodCertificateRequests, with Bouncy Castle: keys, the proof of
 * possession over a pod uid (as Go's {@code ed25519.Sign}, {@code ecdsa.SignASN1} and
 * {@code rsa.SignPSS} make it, PSS with the salt length asked for), and certificates issued to a key
 * by a test CA.
 */
final class PodCertificates {
    /** Go's {@code rsa.SignPSS} with nil options: the longest salt the key allows. */
    static final int MAX_SALT = -1;
    private static final KeyPair CA = TestCsrs.ec("secp256r1");

    private PodCertificates() {
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", TestCsrs.BC);
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code spec.pkixPublicKey} as JSON carries it. */
    static String pkix(KeyPair keys) {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** {@code spec.proofOfPossession} over {@code podUid}; RSA keys sign with PSS and the longest salt. */
    static String proof(KeyPair keys, String podUid) {
        return proof(keys, podUid, MAX_SALT);
    }

    static String proof(KeyPair keys, String podUid, int pssSaltLength) {
        try {
            byte[] message = podUid.getBytes(StandardCharsets.UTF_8);
            Signature signer;
            switch (keys.getPublic().getAlgorithm()) {
                case "Ed25519" -> signer = Signature.getInstance("Ed25519", TestCsrs.BC);
                case "EC", "ECDSA" -> signer = Signature.getInstance("SHA256withECDSA", TestCsrs.BC);
                default -> {
                    int emLength = (((RSAPublicKey) keys.getPublic()).getModulus().bitLength() - 1 + 7) / 8;
                    int salt = pssSaltLength == MAX_SALT ? emLength - 32 - 2 : pssSaltLength;
                    signer = Signature.getInstance("RSASSA-PSS", TestCsrs.BC);
                    signer.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1));
                }
            }
            signer.initSign(keys.getPrivate());
            signer.update(message);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leaf certificate for {@code keys}, valid from {@code notBefore} to {@code notAfter}, with DNS names. */
    static String leaf(KeyPair keys, Instant notBefore, Instant notAfter, String... dnsNames) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=pod-ca"),
                    BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=pod"), keys.getPublic());
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return TestCsrs.pem("CERTIFICATE", builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(TestCsrs.BC).build(CA.getPrivate())).getEncoded());
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test CA's own certificate, for a chain's second block. */
    static String caCertificate() {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=pod-ca"),
                    BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(86_400)),
                    new X500Name("CN=pod-ca"), CA.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            return TestCsrs.pem("CERTIFICATE", builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(TestCsrs.BC).build(CA.getPrivate())).getEncoded());
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
