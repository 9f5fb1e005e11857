package io.csrflow.bench;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.csrflow.bench.BenchmarkMaterial.KeyType;
import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CertificateTemplate;
import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.IssuanceCheck;
import io.csrflow.pki.KeyPolicy;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SigningPolicy;
import io.csrflow.pki.Validity;

/**
 * The CA side of {@link CsrCryptoBenchmark#perCsr}, step by step: the certificate's ASN.1 without
 * its signature, the CA's signature alone, the certificate read back as the JDK's, and the
 * post-issuance check whole and as its signature alone. The {@code primitive*} benchmarks are what
 * {@code openssl speed} measures, through JCA (a reused {@link Signature}, a key the provider
 * already holds, a TBSCertificate of the path's size); {@code verifyCaWithCertificateKey} is the
 * same verification handed the CA certificate's own (JDK) key object, which a native provider
 * converts on every call. The time of a part is 1 / its rate; with {@link CsrReadingPartsBenchmark}
 * the parts add up to about the whole path. {@code certificateFromPem} is not part of the path: it
 * reads an issued certificate from PEM as the scheduler and the signer do, beside the JDK's own PEM
 * reading ({@code certificateFromPemByJdk}) as the reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IssuancePartsBenchmark {
    private static final int ISSUED_PEMS = 1024;
    private static final List<String> USAGES = List.of("digital signature", "server auth");

    @Param({"ACCP"})
    public String provider;

    @Param({"EC_P256", "RSA_2048"})
    public String nodeKey;

    @Param({"EC_P256", "RSA_2048"})
    public String caKey;

    private Provider signing;
    private CertificateAuthority ca;
    private CertificateTemplate template;
    private X509Certificate certificate;
    private X509CertificateHolder holder;
    private byte[] tbs;
    private byte[] certificateSignature;
    private Signature caSigner;
    private Signature caVerifier;
    private PublicKey caPublicKeyOfProvider;
    private SecureRandom random;
    private String[] issuedPems;
    private int nextPem;

    @Setup
    public void setUp() throws Exception {
        KeyType node = KeyType.valueOf(nodeKey);
        KeyType caType = KeyType.valueOf(caKey);
        signing = BenchmarkMaterial.provider(provider, caType);
        CsrParser parser = new CsrParser(CsrLimits.defaults(), KeyPolicy.defaults(),
                BenchmarkMaterial.provider(provider, node));
        ParsedCsr parsed = parser.parseAndVerify(BenchmarkMaterial.servingCsr(node));
        Path dir = Files.createTempDirectory("crypto-bench-parts");
        Path[] files = BenchmarkMaterial.caFiles(caType, dir);
        ca = new CaLoader(signing).load(files[0], files[1]);
        random = new SecureRandom();
        Validity validity = Validity.compute(Instant.now(), 86_400, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        template = SigningPolicy.template(parsed, USAGES, validity);
        certificate = new CertificateIssuer(signing, random).issue(template, ca);
        IssuanceCheck.verify(certificate, template, ca, signing);
        holder = new X509CertificateHolder(certificate.getEncoded());
        tbs = certificate.getTBSCertificate();
        certificateSignature = certificate.getSignature();
        caSigner = Signature.getInstance(ca.signatureAlgorithm(), signing);
        caVerifier = Signature.getInstance(ca.signatureAlgorithm(), signing);
        caPublicKeyOfProvider = KeyFactory.getInstance(ca.certificate().getPublicKey().getAlgorithm(), signing)
                .generatePublic(new X509EncodedKeySpec(ca.certificate().getPublicKey().getEncoded()));
        issuedPems = new String[ISSUED_PEMS];
        CertificateIssuer issuer = new CertificateIssuer(signing, random);
        for (int i = 0; i < issuedPems.length; i++) {
            issuedPems[i] = Pem.of(issuer.issue(template, ca));
        }
        if (!Pem.firstCertificate(issuedPems[0]).equals(readByJdk(issuedPems[0]))) {
            throw new IllegalStateException("the two ways of reading PEM disagree");
        }
        if (!primitiveVerifyCa() || !verifyCaWithCertificateKey()) {
            throw new IllegalStateException("the primitive does not verify what the path signed");
        }
    }

    /** The CA's signature over a TBSCertificate of the path's size. */
    @Benchmark
    public byte[] primitiveSignCa() throws Exception {
        caSigner.initSign(ca.key());
        caSigner.update(tbs);
        return caSigner.sign();
    }

    /** The post-issuance signature check alone, with a CA public key the provider already holds. */
    @Benchmark
    public boolean primitiveVerifyCa() throws Exception {
        caVerifier.initVerify(caPublicKeyOfProvider);
        caVerifier.update(tbs);
        return caVerifier.verify(certificateSignature);
    }

    /** The same handed the CA certificate's own (JDK) key object and a new Signature each time. */
    @Benchmark
    public boolean verifyCaWithCertificateKey() throws Exception {
        Signature verifier = Signature.getInstance(ca.signatureAlgorithm(), signing);
        verifier.initVerify(ca.certificate().getPublicKey());
        verifier.update(tbs);
        return verifier.verify(certificateSignature);
    }

    /**
     * The certificate's ASN.1 with the fields and extensions {@link CertificateIssuer} gives it, and
     * a signer that returns a fixed signature: the encoding without the primitive.
     */
    @Benchmark
    public X509CertificateHolder buildUnsigned() throws Exception {
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                new BigInteger(128, random), Date.from(template.validity().notBefore()),
                Date.from(template.validity().notAfter()), template.subject(),
                SubjectPublicKeyInfo.getInstance(template.publicKey().getEncoded()));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(template.keyUsageBits()));
        builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(template.extendedKeyUsages().toArray(KeyPurposeId[]::new)));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(template.publicKey()));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                new AuthorityKeyIdentifier(utils.createSubjectKeyIdentifier(ca.certificate().getPublicKey())
                        .getKeyIdentifier()));
        builder.addExtension(Extension.subjectAlternativeName, false, template.sans());
        return builder.build(new FixedSigner(ca.signatureAlgorithm(), certificateSignature));
    }

    /** Bouncy Castle's certificate read back as the JDK's (a full X.509 parse, the key included). */
    @Benchmark
    public X509Certificate toX509Certificate() throws Exception {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** The whole post-issuance check: the signature with the CA key, then every field against the template. */
    @Benchmark
    public X509Certificate issuanceCheck() {
        IssuanceCheck.verify(certificate, template, ca, signing);
        return certificate;
    }

    /**
     * An issued certificate read from its PEM, as the rotation scheduler and the signer read a CSR's
     * {@code status.certificate} (each time another of {@value #ISSUED_PEMS}, more than the JDK's
     * certificate cache holds, since the pipeline rarely reads one certificate twice in a row).
     */
    @Benchmark
    public X509Certificate certificateFromPem() {
        return Pem.firstCertificate(nextPem());
    }

    /** The same through the JDK's factory handed the PEM text, as csrflow read it before: the reference. */
    @Benchmark
    public X509Certificate certificateFromPemByJdk() throws Exception {
        return readByJdk(nextPem());
    }

    private static X509Certificate readByJdk(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                .iterator().next();
    }

    private String nextPem() {
        nextPem = (nextPem + 1) % issuedPems.length;
        return issuedPems[nextPem];
    }

    /** A content signer whose signature is fixed, for timing the encoding alone. */
    private static final class FixedSigner implements ContentSigner {
        private final AlgorithmIdentifier algorithm;
        private final byte[] signature;

        FixedSigner(String algorithm, byte[] signature) {
            this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(algorithm);
            this.signature = signature;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return java.io.OutputStream.nullOutputStream();
        }

        @Override
        public byte[] getSignature() {
            return signature.clone();
        }
    }
}
