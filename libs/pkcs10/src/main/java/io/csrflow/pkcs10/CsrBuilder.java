package io.csrflow.pkcs10;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Makes PKCS#10 requests as kubelets and other clients make them, for the fleet simulator, the
 * benchmarks and the tests: subject values as literal UTF8Strings in the order given, SANs in one
 * extension request, signed with the key given (another than the request's for a forgery in a test).
 */
public final class CsrBuilder {
    private final X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    private final List<GeneralName> sans = new ArrayList<>();
    private final List<Extension> extensions = new ArrayList<>();
    private final List<org.bouncycastle.asn1.pkcs.Attribute> attributes = new ArrayList<>();

    public CsrBuilder organization(String organization) {
        return subjectAttribute(BCStyle.O, new DERUTF8String(organization));
    }

    public CsrBuilder commonName(String commonName) {
        return subjectAttribute(BCStyle.CN, new DERUTF8String(commonName));
    }

    /** Any attribute, encoded as given (Bouncy Castle's string form would decode '#' and '\'). */
    public CsrBuilder subjectAttribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        subject.addRDN(type, value);
        return this;
    }

    public CsrBuilder dnsName(String name) {
        return san(new GeneralName(GeneralName.dNSName, name));
    }

    /** An IPv4 or IPv6 literal. */
    public CsrBuilder ipAddress(String literal) {
        return san(new GeneralName(GeneralName.iPAddress, literal));
    }

    public CsrBuilder san(GeneralName name) {
        sans.add(name);
        return this;
    }

    /** One more requested extension, after the SANs. */
    public CsrBuilder extension(Extension extension) {
        extensions.add(extension);
        return this;
    }

    /** An attribute of the request itself, added as given (a second extension request, say). */
    public CsrBuilder attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
        attributes.add(new org.bouncycastle.asn1.pkcs.Attribute(type, new org.bouncycastle.asn1.DERSet(value)));
        return this;
    }

    /** The request for {@code keys}, signed with their private key. */
    public PKCS10CertificationRequest build(KeyPair keys, String signatureAlgorithm, Provider provider) {
        return build(keys, keys.getPrivate(), signatureAlgorithm, provider);
    }

    /** The request for the public key of {@code keys}, signed with {@code signer}. */
    public PKCS10CertificationRequest build(KeyPair keys, PrivateKey signer, String signatureAlgorithm,
            Provider provider) {
        try {
            JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(subject.build(),
                    keys.getPublic());
            if (!sans.isEmpty() || !extensions.isEmpty()) {
                ExtensionsGenerator requested = new ExtensionsGenerator();
                if (!sans.isEmpty()) {
                    requested.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                extensions.forEach(requested::addExtension);
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, requested.generate());
            }
            for (org.bouncycastle.asn1.pkcs.Attribute attribute : attributes) {
                builder.addAttribute(attribute.getAttrType(), attribute.getAttributeValues());
            }
            JcaContentSignerBuilder signing = new JcaContentSignerBuilder(signatureAlgorithm);
            if (provider != null) {
                signing.setProvider(provider);
            }
            return builder.build(signing.build(signer));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the CSR: " + e.getMessage(), e);
        }
    }

    /** The request as PEM, as {@code spec.request} carries it. */
    public String pem(KeyPair keys, String signatureAlgorithm) {
        return pem(build(keys, signatureAlgorithm, null));
    }

    public static String pem(PKCS10CertificationRequest request) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            writer.writeObject(request);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM", e);
        }
        return out.toString();
    }
}
