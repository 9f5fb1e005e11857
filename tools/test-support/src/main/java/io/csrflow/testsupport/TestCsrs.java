package io.csrflow.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import io.csrflow.pkcs10.CsrBuilder;

/**
 * Real PKCS#10 CSRs made with Bouncy Castle, as kubelets and other clients make them:
 * {@code TestCsrs.kubelet("worker-1").dnsNames("worker-1").ipAddresses("10.0.0.1").pem()}.
 */
public final class TestCsrs {
    /** Bouncy Castle makes every key, so that curves the JDK lacks (secp256k1) can be tested. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private final List<String> organizations = new ArrayList<>();
    private String commonName;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<String> ipAddresses = new ArrayList<>();
    private final List<String> emails = new ArrayList<>();
    private final List<String> uris = new ArrayList<>();
    private final List<Extension> extraExtensions = new ArrayList<>();
    private final List<GeneralName> extraSans = new ArrayList<>();
    private final List<String> extraCommonNames = new ArrayList<>();
    private String keyAlgorithm = "EC";
    private String curve = "secp256r1";
    private int rsaBits = 2048;
    private BigInteger rsaExponent = RSAKeyGenParameterSpec.F4;
    private KeyPair keyPair;
    private KeyPair signingKey;
    private String signatureAlgorithm;
    private final List<org.bouncycastle.asn1.pkcs.Attribute> rawAttributes = new ArrayList<>();
    private final List<org.bouncycastle.asn1.x500.AttributeTypeAndValue> rawSubject = new ArrayList<>();

    private TestCsrs() {
    }

    public static TestCsrs subject(String commonName, String... organizations) {
        TestCsrs csr = new TestCsrs();
        csr.commonName = commonName;
        csr.organizations.addAll(List.of(organizations));
        return csr;
    }

    /** A kubelet's subject: O=system:nodes, CN=system:node:NODE. */
    public static TestCsrs kubelet(String node) {
        return subject("system:node:" + node, "system:nodes");
    }

    public TestCsrs dnsNames(String... names) {
        dnsNames.addAll(List.of(names));
        return this;
    }

    public TestCsrs ipAddresses(String... addresses) {
        ipAddresses.addAll(List.of(addresses));
        return this;
    }

    public TestCsrs emails(String... addresses) {
        emails.addAll(List.of(addresses));
        return this;
    }

    public TestCsrs uris(String... values) {
        uris.addAll(List.of(values));
        return this;
    }

    public TestCsrs rsa(int bits) {
        keyAlgorithm = "RSA";
        rsaBits = bits;
        return this;
    }

    public TestCsrs rsa(int bits, BigInteger exponent) {
        rsa(bits);
        rsaExponent = exponent;
        return this;
    }

    /** An EC key on the named curve ({@code secp256r1}, {@code secp384r1}, {@code secp521r1}, ...). */
    public TestCsrs ec(String curveName) {
        keyAlgorithm = "EC";
        curve = curveName;
        return this;
    }

    /** A DSA key, which no Kubernetes signer accepts. */
    public TestCsrs dsa(int bits) {
        keyAlgorithm = "DSA";
        rsaBits = bits;
        return this;
    }

    /** A SAN of any type, e.g. an otherName or a directoryName, after the standard ones. */
    public TestCsrs san(GeneralName name) {
        extraSans.add(name);
        return this;
    }

    /** Requests one more extension, e.g. BasicConstraints CA:true. */
    public TestCsrs requestExtension(Extension extension) {
        extraExtensions.add(extension);
        return this;
    }

    /** A second CN in the subject. */
    public TestCsrs anotherCommonName(String commonName) {
        extraCommonNames.add(commonName);
        return this;
    }

    /** An attribute added as given, e.g. a second extension request or one with repeated extensions. */
    public TestCsrs rawAttribute(org.bouncycastle.asn1.ASN1ObjectIdentifier type, org.bouncycastle.asn1.ASN1Encodable value) {
        rawAttributes.add(new org.bouncycastle.asn1.pkcs.Attribute(type, new org.bouncycastle.asn1.DERSet(value)));
        return this;
    }

    /** A subject attribute added as given, e.g. a UTF8String that is not UTF-8. */
    public TestCsrs rawSubjectAttribute(org.bouncycastle.asn1.ASN1ObjectIdentifier type,
            org.bouncycastle.asn1.ASN1Encodable value) {
        rawSubject.add(new org.bouncycastle.asn1.x500.AttributeTypeAndValue(type, value));
        return this;
    }

    /** Signs with this JCA algorithm instead of SHA-256 with the key's type, e.g. SHA1withRSA. */
    public TestCsrs signatureAlgorithm(String algorithm) {
        signatureAlgorithm = algorithm;
        return this;
    }

    /**
     * An RSA public key of {@code bits} bits with a random odd modulus (not a product of two primes:
     * generating a real 16,384-bit key takes minutes), signed with another key. Only a check that
     * runs before the signature can refuse it quickly, which is what it is for.
     */
    public TestCsrs rsaModulusOfBits(int bits) {
        try {
            BigInteger modulus = new BigInteger(bits, new java.security.SecureRandom()).setBit(bits - 1).setBit(0);
            java.security.PublicKey key = java.security.KeyFactory.getInstance("RSA")
                    .generatePublic(new java.security.spec.RSAPublicKeySpec(modulus, RSAKeyGenParameterSpec.F4));
            KeyPair signer = new TestCsrs().keyPair();
            keyPair = new KeyPair(key, signer.getPrivate());
            signingKey = signer;
            return this;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with another key than the one in the request: no proof of possession. */
    public TestCsrs signedByAnotherKey() {
        signingKey = new TestCsrs().keyPair();
        return this;
    }

    /** The key pair of the CSR (generated on first use). */
    public KeyPair keyPair() {
        if (keyPair == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm, BC);
                if (keyAlgorithm.equals("EC")) {
                    generator.initialize(new ECGenParameterSpec(curve));
                } else if (keyAlgorithm.equals("RSA")) {
                    generator.initialize(new RSAKeyGenParameterSpec(rsaBits, rsaExponent));
                } else if (keyAlgorithm.equals("DSA")) {
                    generator.initialize(rsaBits);
                }
                keyPair = generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return keyPair;
    }

    public PKCS10CertificationRequest build() {
        CsrBuilder builder = new CsrBuilder();
        organizations.forEach(builder::organization);
        if (commonName != null) {
            builder.commonName(commonName);
        }
        extraCommonNames.forEach(builder::commonName);
        rawSubject.forEach(attribute -> builder.subjectAttribute(attribute.getType(), attribute.getValue()));
        dnsNames.forEach(builder::dnsName);
        ipAddresses.forEach(builder::ipAddress);
        emails.forEach(e -> builder.san(new GeneralName(GeneralName.rfc822Name, e)));
        uris.forEach(u -> builder.san(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
        extraSans.forEach(builder::san);
        extraExtensions.forEach(builder::extension);
        rawAttributes.forEach(attribute -> builder.attribute(attribute.getAttrType(),
                attribute.getAttributeValues()[0]));
        KeyPair signer = signingKey != null ? signingKey : keyPair();
        String algorithm = signatureAlgorithm != null ? signatureAlgorithm : switch (signer.getPrivate().getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "DSA" -> "SHA256withDSA";
            default -> "Ed25519";
        };
        return builder.build(keyPair(), signer.getPrivate(), algorithm, BC);
    }

    public String pem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** The PEM as a CSR's {@code spec.request} carries it in JSON. */
    public String base64Pem() {
        return Base64.getEncoder().encodeToString(pem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
