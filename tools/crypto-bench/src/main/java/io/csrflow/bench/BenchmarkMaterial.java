package io.csrflow.bench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.csrflow.pki.CryptoProviders;
import io.csrflow.pkcs10.CsrBuilder;
import io.csrflow.pki.Pem;

/** Keys, a kubelet serving CSR and a CA on disk, made once per benchmark trial. */
final class BenchmarkMaterial {
    enum KeyType { EC_P256, RSA_2048 }

    private BenchmarkMaterial() {
    }

    static KeyPair keyPair(KeyType type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type == KeyType.EC_P256 ? "EC" : "RSA");
            if (type == KeyType.EC_P256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signatureAlgorithm(KeyType type) {
        return type == KeyType.EC_P256 ? "SHA256withECDSA" : "SHA256withRSA";
    }

    /** A kubelet serving CSR: O=system:nodes, CN=system:node:bench-node, a DNS and an IP SAN. */
    static String servingCsr(KeyType type) {
        return new CsrBuilder().organization("system:nodes").commonName("system:node:bench-node").dnsName("bench-node")
                .ipAddress("10.0.0.7").pem(keyPair(type), signatureAlgorithm(type));
    }

    /** A CA certificate and PKCS#8 key written to {@code dir}: {ca.crt, ca.key}. */
    static Path[] caFiles(KeyType type, Path dir) {
        try {
            KeyPair keys = keyPair(type);
            X500Name name = new X500Name("CN=csrflow-bench-ca");
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                    Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(365, ChronoUnit.DAYS)), name,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            Path cert = dir.resolve("ca-" + type + ".crt");
            Path key = dir.resolve("ca-" + type + ".key");
            Files.writeString(cert, pem(builder.build(new JcaContentSignerBuilder(signatureAlgorithm(type))
                    .build(keys.getPrivate()))));
            Files.writeString(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
            return new Path[] {cert, key};
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the benchmark CA", e);
        }
    }

    /**
     * The provider for a benchmark parameter: {@code BC}, {@code ACCP}, {@code auto}, or {@code JDK}
     * — the platform's own provider for the key type (SunEC, SunRsaSign).
     */
    static Provider provider(String name, KeyType keyType) {
        if (name.equals("JDK")) {
            return Security.getProvider(keyType == KeyType.EC_P256 ? "SunEC" : "SunRsaSign");
        }
        return CryptoProviders.named(name, "benchmark provider");
    }

    private static String pem(Object object) {
        return Pem.write(object);
    }
}
