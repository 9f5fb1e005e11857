package io.csrflow.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Date;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Encodes and signs a {@link CertificateTemplate} with Bouncy Castle: the template's subject, SANs,
 * KeyUsage, ExtendedKeyUsage and validity; BasicConstraints CA:false; Subject Key Identifier; an
 * Authority Key Identifier holding the CA's key identifier only (an issuer name and serial there
 * would tie leaves to one CA certificate, and a CA re-issued with the same key could no longer
 * verify them); a random positive 128-bit serial.
 */
public final class CertificateIssuer {
    private final Provider provider;
    private final SecureRandom random;

    public CertificateIssuer(Provider provider, SecureRandom random) {
        this.provider = provider;
        this.random = random;
    }

    /** The provider that signs, for checking what it signed. */
    public Provider provider() {
        return provider;
    }

    /** @throws SigningFailedException when the provider cannot sign (the CA, not the request, is at fault) */
    public X509Certificate issue(CertificateTemplate template, CertificateAuthority ca) {
        try {
            Validity validity = template.validity();
            // The template's subject as it is: through an X500Principal it would be encoded and parsed twice.
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), serial(),
                    Date.from(validity.notBefore()), Date.from(validity.notAfter()), template.subject(),
                    SubjectPublicKeyInfo.getInstance(template.publicKey().getEncoded()));
            if (template.keyUsageBits() != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(template.keyUsageBits()));
            }
            if (!template.extendedKeyUsages().isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(template.extendedKeyUsages().toArray(KeyPurposeId[]::new)));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(template.publicKey()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(keyIdentifier(ca.certificate(), utils)));
            if (template.sans() != null) {
                // RFC 5280: with an empty subject the SANs carry the identity and must be critical.
                builder.addExtension(Extension.subjectAlternativeName, template.subject().getRDNs().length == 0,
                        template.sans());
            }
            // Only the signature needs the chosen provider (the token's, for a key in a PKCS#11 token);
            // reading the result back is the JDK's job (native providers such as ACCP have no CertificateFactory).
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(ca.signatureAlgorithm()).setProvider(ca.signingProvider().orElse(provider))
                            .build(ca.key())));
        } catch (java.io.IOException | OperatorCreationException | GeneralSecurityException | RuntimeException e) {
            throw new SigningFailedException(SigningFailedException.Reason.SIGNING_FAILED, "signing failed: "
                    + e.getMessage(), e);
        }
    }

    /** The CA certificate's own Subject Key Identifier, or one computed from its key as RFC 5280 describes. */
    static byte[] keyIdentifier(X509Certificate ca, JcaX509ExtensionUtils utils) {
        byte[] extension = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension != null) {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(extension).getOctets())
                    .getKeyIdentifier();
        }
        PublicKey key = ca.getPublicKey();
        return utils.createSubjectKeyIdentifier(key).getKeyIdentifier();
    }

    private BigInteger serial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, random);
        } while (serial.signum() == 0);
        return serial;
    }

    /** Lower-case hex, as events carry serials. */
    public static String serialHex(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }
}
