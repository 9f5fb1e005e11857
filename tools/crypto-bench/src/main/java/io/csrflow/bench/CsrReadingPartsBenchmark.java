package io.csrflow.bench;

import java.io.StringReader;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.csrflow.bench.BenchmarkMaterial.KeyType;
import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.KeyPolicy;
import io.csrflow.pki.ParsedCsr;

/**
 * The CSR side of {@link CsrCryptoBenchmark#perCsr}, step by step: PEM, the PKCS#10 parse, all of
 * {@link CsrParser#parse} (limits, key policy, subject, SANs, the key object), and the
 * proof-of-possession signature alone, the primitive {@code openssl speed} measures (a reused
 * {@link Signature}, a key the provider already holds, the request's own bytes). Only the node key
 * matters here; {@link IssuancePartsBenchmark} has the CA side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CsrReadingPartsBenchmark {
    @Param({"ACCP"})
    public String provider;

    @Param({"EC_P256", "RSA_2048"})
    public String nodeKey;

    private String csrPem;
    private byte[] csrDer;
    private CsrParser parser;
    private byte[] requestInfo;
    private byte[] requestSignature;
    private PublicKey nodePublicKey;
    private Signature nodeVerifier;

    @Setup
    public void setUp() throws Exception {
        KeyType node = KeyType.valueOf(nodeKey);
        Provider parsing = BenchmarkMaterial.provider(provider, node);
        csrPem = BenchmarkMaterial.servingCsr(node);
        parser = new CsrParser(CsrLimits.defaults(), KeyPolicy.defaults(), parsing);
        ParsedCsr parsed = parser.parseAndVerify(csrPem);
        PKCS10CertificationRequest request = parsed.request();
        csrDer = request.getEncoded();
        requestInfo = request.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER);
        requestSignature = request.getSignature();
        nodePublicKey = parsed.publicKey();
        nodeVerifier = Signature.getInstance(parsed.signatureAlgorithm(), parsing);
        if (!primitiveVerifyNode()) {
            throw new IllegalStateException("the primitive does not verify the request's signature");
        }
    }

    /** Proof of possession alone: the node key's signature over the CertificationRequestInfo. */
    @Benchmark
    public boolean primitiveVerifyNode() throws Exception {
        nodeVerifier.initVerify(nodePublicKey);
        nodeVerifier.update(requestInfo);
        return nodeVerifier.verify(requestSignature);
    }

    @Benchmark
    public byte[] pemDecode() throws Exception {
        try (PemReader reader = new PemReader(new StringReader(csrPem))) {
            return reader.readPemObject().getContent();
        }
    }

    @Benchmark
    public PKCS10CertificationRequest pkcs10Parse() throws Exception {
        return new PKCS10CertificationRequest(csrDer);
    }

    /** PEM, limits, PKCS#10, key policy, subject, SANs and the key object: all of parsing but the signature. */
    @Benchmark
    public ParsedCsr parseWithoutSignature() throws Exception {
        return parser.parse(csrPem);
    }
}
