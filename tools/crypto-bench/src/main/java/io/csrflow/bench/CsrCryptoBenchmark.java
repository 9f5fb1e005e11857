package io.csrflow.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CertificateTemplate;
import io.csrflow.pki.IssuanceCheck;
import io.csrflow.pki.SigningPolicy;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Validity;

/**
 * The crypto csrflow does per CSR, single thread, through the production classes: the approver's
 * and the signer's parse + proof-of-possession check; the signer's certificate build + sign; and
 * the signer's whole path (parse + verify, build + sign, post-issuance check that verifies the new
 * certificate with the CA key).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CsrCryptoBenchmark {
    private static final List<String> USAGES = List.of("digital signature", "server auth");

    @Param({"BC", "JDK", "ACCP"})
    public String provider;

    @Param({"EC_P256", "RSA_2048"})
    public String nodeKey;

    @Param({"EC_P256", "RSA_2048"})
    public String caKey;

    private String csrPem;
    private ParsedCsr parsed;
    private CsrParser parser;
    private CertificateIssuer issuer;
    private CertificateAuthority ca;
    private Validity validity;

    @Setup
    public void setUp() throws Exception {
        KeyType node = KeyType.valueOf(nodeKey);
        KeyType caType = KeyType.valueOf(caKey);
        Provider parsing = BenchmarkMaterial.provider(provider, node);
        Provider signing = BenchmarkMaterial.provider(provider, caType);
        csrPem = BenchmarkMaterial.servingCsr(node);
        parser = new CsrParser(CsrLimits.defaults(), io.csrflow.pki.KeyPolicy.defaults(), parsing);
        parsed = parser.parseAndVerify(csrPem);
        Path dir = Files.createTempDirectory("crypto-bench");
        Path[] files = BenchmarkMaterial.caFiles(caType, dir);
        ca = new CaLoader(signing).load(files[0], files[1]);
        issuer = new CertificateIssuer(signing, new SecureRandom());
        validity = Validity.compute(Instant.now(), 86_400, Validity.DEFAULT_MAXIMUM,
                ca.certificate().getNotBefore().toInstant(), ca.certificate().getNotAfter().toInstant());
        // Fail the trial, not a measurement, if this provider cannot do the whole path correctly.
        CertificateTemplate template = SigningPolicy.template(parsed, USAGES, validity);
        IssuanceCheck.verify(issuer.issue(template, ca), template, ca, signing);
    }

    @Benchmark
    public ParsedCsr parseAndVerify() throws Exception {
        return parser.parseAndVerify(csrPem);
    }

    @Benchmark
    public X509Certificate buildAndSign() {
        return issuer.issue(SigningPolicy.template(parsed, USAGES, validity), ca);
    }

    @Benchmark
    public X509Certificate perCsr() throws Exception {
        ParsedCsr csr = parser.parseAndVerify(csrPem);
        CertificateTemplate template = SigningPolicy.template(csr, USAGES, validity);
        X509Certificate certificate = issuer.issue(template, ca);
        IssuanceCheck.verify(certificate, template, ca, issuer.provider());
        return certificate;
    }
}
