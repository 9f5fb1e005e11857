package io.csrflow.emulator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Real PKCS#10 requests made with Bouncy Castle, including the odd ones Go's parser refuses. */
final class TestCsrs {
    static final BouncyCastleProvider BC = new BouncyCastleProvider();
    static final BigInteger F4 = BigInteger.valueOf(65537);
    private static final KeyPair P256 = ec("secp256r1");

    private TestCsrs() {
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An RSA key of exactly {@code bits} bits with public exponent {@code exponent}, made by hand:
     * key generators refuse the odd sizes and exponents Go's limits are tested with.
     */
    static KeyPair rsa(int bits, BigInteger exponent) {
        SecureRandom random = new SecureRandom();
        while (true) {
            BigInteger p = BigInteger.probablePrime((bits + 1) / 2, random);
            BigInteger q = BigInteger.probablePrime(bits / 2, random);
            BigInteger n = p.multiply(q);
            BigInteger phi = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE));
            if (n.bitLength() != bits || p.equals(q) || !exponent.gcd(phi).equals(BigInteger.ONE)) {
                continue;
            }
            BigInteger d = exponent.modInverse(phi);
            try {
                KeyFactory factory = KeyFactory.getInstance("RSA", BC);
                return new KeyPair(factory.generatePublic(new RSAPublicKeySpec(n, exponent)),
                        factory.generatePrivate(new RSAPrivateCrtKeySpec(n, exponent, d, p, q,
                                d.mod(p.subtract(BigInteger.ONE)), d.mod(q.subtract(BigInteger.ONE)), q.modInverse(p))));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519", BC).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request of an EC P-256 key signed with SHA256withECDSA. */
    static Request request() {
        return new Request(P256, "SHA256withECDSA");
    }

    static Request request(KeyPair keys, String signatureAlgorithm) {
        return new Request(keys, signatureAlgorithm);
    }

    /** A subjectAltName entry [tag] with these raw bytes, whatever they are. */
    static ASN1Encodable altName(int tag, byte[] content) {
        return new DERTaggedObject(false, tag, new DEROctetString(content));
    }

    static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A self-signed EC certificate, PEM. */
    static String certificatePem(String commonName) {
        try {
            KeyPair keys = ec("secp256r1");
            java.util.Date now = new java.util.Date();
            X500Name name = new X500Name("CN=" + commonName);
            org.bouncycastle.cert.X509v3CertificateBuilder builder =
                    new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.getTime()),
                            now, new java.util.Date(now.getTime() + 86_400_000L), name, keys.getPublic());
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC)
                    .build(keys.getPrivate())).getEncoded();
            return pem("CERTIFICATE", der);
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A request being built. */
    static final class Request {
        private final KeyPair keys;
        private final String signatureAlgorithm;
        private String subject = "CN=system:node:worker-1,O=system:nodes";
        private final List<ASN1Encodable> altNames = new ArrayList<>();

        private Request(KeyPair keys, String signatureAlgorithm) {
            this.keys = keys;
            this.signatureAlgorithm = signatureAlgorithm;
        }

        Request subject(String x500) {
            this.subject = x500;
            return this;
        }

        Request altName(ASN1Encodable name) {
            altNames.add(name);
            return this;
        }

        byte[] der() {
            try {
                PKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name(subject), keys.getPublic());
                if (!altNames.isEmpty()) {
                    Extension san = new Extension(Extension.subjectAlternativeName, false,
                            new DERSequence(altNames.toArray(ASN1Encodable[]::new)).getEncoded());
                    builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(san));
                }
                return builder.build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC)
                        .build(keys.getPrivate())).getEncoded();
            } catch (IOException | OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
        }

        String pem() {
            return TestCsrs.pem("CERTIFICATE REQUEST", der());
        }

        /** The PEM as {@code spec.request} carries it in JSON. */
        String base64() {
            return TestCsrs.base64(pem());
        }

        /** The same request with one bit of its signature flipped: well-formed, but it does not verify. */
        String brokenSignaturePem() {
            byte[] der = der();
            der[der.length - 3] ^= 0x01;
            return TestCsrs.pem("CERTIFICATE REQUEST", der);
        }
    }
}
