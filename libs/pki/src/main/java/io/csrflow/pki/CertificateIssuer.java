package io.csrflow.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs the certificate for a CSR with Bouncy Castle. Subject and SANs are copied from the
 * request; every other extension it requests is dropped; KeyUsage and ExtendedKeyUsage come from
 * {@code spec.usages} only; BasicConstraints CA:false; Subject and Authority Key Identifiers; a
 * random positive 128-bit serial.
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

    public X509Certificate issue(ParsedCsr csr, List<String> usages, Validity validity, CertificateAuthority ca) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    ca.certificate().getSubjectX500Principal(), serial(), Date.from(validity.notBefore()),
                    Date.from(validity.notAfter()), new javax.security.auth.x500.X500Principal(csr.subject().getEncoded()),
                    csr.publicKey());
            KubeUsages.Mapped mapped = KubeUsages.map(usages);
            if (mapped.keyUsageBits() != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(mapped.keyUsageBits()));
            }
            if (!mapped.extendedKeyUsages().isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(mapped.extendedKeyUsages().toArray(KeyPurposeId[]::new)));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(csr.publicKey()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(ca.certificate()));
            Extension san = requestedSan(csr);
            if (san != null) {
                // RFC 5280: with an empty subject the SANs carry the identity and must be critical.
                builder.addExtension(Extension.subjectAlternativeName, csr.subject().getRDNs().length == 0,
                        san.getParsedValue());
            }
            // Only the signature needs the chosen provider; reading the result back is the JDK's job
            // (native providers such as ACCP have no CertificateFactory).
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(ca.signatureAlgorithm()).setProvider(provider).build(ca.key())));
        } catch (java.io.IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    private BigInteger serial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, random);
        } while (serial.signum() == 0);
        return serial;
    }

    private static Extension requestedSan(ParsedCsr csr) {
        var attributes = csr.request().getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length == 0) {
            return null;
        }
        return Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0))
                .getExtension(Extension.subjectAlternativeName);
    }

    /** Lower-case hex, as events carry serials. */
    public static String serialHex(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

}
