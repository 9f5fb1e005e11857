package io.csrflow.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * The post-issuance check (Boulder's): the certificate just signed is read back and must verify with
 * the CA's key and say exactly what its {@link CertificateTemplate} says: the same public key, the
 * same encoded subject and SAN extension byte for byte, the same validity, the CA's subject as issuer,
 * the same KeyUsage (critical) and ExtendedKeyUsage byte for byte, BasicConstraints CA:false and
 * critical, no extension beyond those, the key identifiers and the SANs, and an Authority Key
 * Identifier that names the key only. A mismatch is a bug in the signer; the
 * certificate is discarded, never written or published.
 */
public final class IssuanceCheck {
    private IssuanceCheck() {
    }

    /** @throws SigningFailedException naming the first thing that differs */
    public static void verify(X509Certificate certificate, CertificateTemplate template, CertificateAuthority ca,
            Provider provider) {
        try {
            // With the signer's provider (the platform default for EC on Java 17 is SunEC, ~15x slower),
            // and the CA key as that provider's own object, which it would otherwise convert every time.
            certificate.verify(ProviderKeys.of(ca.certificate(), provider), provider);
        } catch (GeneralSecurityException e) {
            throw new SigningFailedException(SigningFailedException.Reason.ISSUANCE_CHECK_FAILED,
                    "issued certificate does not verify with the CA key: " + e.getMessage(), e);
        }
        require(Arrays.equals(certificate.getPublicKey().getEncoded(), template.publicKey().getEncoded()),
                "issued certificate does not carry the CSR's public key");
        require(Arrays.equals(certificate.getSubjectX500Principal().getEncoded(), der(template.subject())),
                "issued certificate's subject differs from the intended one");
        // And read back as strings, against what was verified: an encoding step that rewrote a value
        // would otherwise go unnoticed by a comparison with a template built the same way.
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        require(strings(subject, BCStyle.O).equals(template.organizations())
                && strings(subject, BCStyle.CN).equals(template.commonName() == null ? List.of()
                        : List.of(template.commonName())),
                "issued certificate's subject does not say the verified organizations and common name");
        require(certificate.getNotBefore().toInstant().equals(template.validity().notBefore())
                && certificate.getNotAfter().toInstant().equals(template.validity().notAfter()),
                "issued certificate's validity differs from the computed one");
        require(certificate.getBasicConstraints() == -1, "issued certificate is a CA certificate");
        require(Arrays.equals(certificate.getIssuerX500Principal().getEncoded(),
                ca.certificate().getSubjectX500Principal().getEncoded()),
                "issued certificate's issuer is not the CA's subject");
        // What the certificate may be used for, compared with the template rather than trusted to the
        // encoder: a wrong bit here is a certificate for another purpose.
        byte[] keyUsage = extension(certificate, Extension.keyUsage.getId());
        require(template.keyUsageBits() == 0 ? keyUsage == null
                : Arrays.equals(keyUsage, der(new KeyUsage(template.keyUsageBits())))
                        && critical(certificate, Extension.keyUsage),
                "issued certificate's key usage differs from the intended one");
        byte[] eku = extension(certificate, Extension.extendedKeyUsage.getId());
        require(template.extendedKeyUsages().isEmpty() ? eku == null : eku != null && Arrays.equals(eku,
                der(new ExtendedKeyUsage(template.extendedKeyUsages().toArray(KeyPurposeId[]::new)))),
                "issued certificate's extended key usage differs from the intended one");
        require(critical(certificate, Extension.basicConstraints),
                "issued certificate's basic constraints are not critical");
        byte[] san = extension(certificate, Extension.subjectAlternativeName.getId());
        require(template.sans() == null ? san == null : san != null && Arrays.equals(san, der(template.sans())),
                "issued certificate's SAN extension differs from the intended one");
        require(extensionsAre(certificate, template), "issued certificate carries extensions it should not: "
                + certificate.getNonCriticalExtensionOIDs() + " " + certificate.getCriticalExtensionOIDs());
        byte[] aki = extension(certificate, Extension.authorityKeyIdentifier.getId());
        AuthorityKeyIdentifier authority = aki == null ? null : AuthorityKeyIdentifier.getInstance(aki);
        require(authority != null && authority.getKeyIdentifier() != null && authority.getAuthorityCertIssuer() == null
                && authority.getAuthorityCertSerialNumber() == null,
                "issued certificate's Authority Key Identifier must hold the key identifier only");
    }

    private static boolean critical(X509Certificate certificate, ASN1ObjectIdentifier oid) {
        Set<String> critical = certificate.getCriticalExtensionOIDs();
        return critical != null && critical.contains(oid.getId());
    }

    private static boolean extensionsAre(X509Certificate certificate, CertificateTemplate template) {
        Set<String> expected = new HashSet<>(Set.of(Extension.basicConstraints.getId(),
                Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId()));
        if (template.keyUsageBits() != 0) {
            expected.add(Extension.keyUsage.getId());
        }
        if (!template.extendedKeyUsages().isEmpty()) {
            expected.add(Extension.extendedKeyUsage.getId());
        }
        if (template.sans() != null) {
            expected.add(Extension.subjectAlternativeName.getId());
        }
        Set<String> actual = new HashSet<>();
        if (certificate.getCriticalExtensionOIDs() != null) {
            actual.addAll(certificate.getCriticalExtensionOIDs());
        }
        if (certificate.getNonCriticalExtensionOIDs() != null) {
            actual.addAll(certificate.getNonCriticalExtensionOIDs());
        }
        return actual.equals(expected);
    }

    private static List<String> strings(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = new java.util.ArrayList<>();
        for (RDN rdn : name.getRDNs()) {
            for (var atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(type)) {
                    values.add(atv.getValue() instanceof ASN1String text ? text.getString() : atv.getValue().toString());
                }
            }
        }
        return values;
    }

    /** The extension's value (the DER inside its OCTET STRING), or null. */
    private static byte[] extension(X509Certificate certificate, String oid) {
        byte[] wrapped = certificate.getExtensionValue(oid);
        return wrapped == null ? null : ASN1OctetString.getInstance(wrapped).getOctets();
    }

    private static byte[] der(org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new SigningFailedException(SigningFailedException.Reason.ISSUANCE_CHECK_FAILED,
                    "cannot encode the intended certificate: " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new SigningFailedException(SigningFailedException.Reason.ISSUANCE_CHECK_FAILED, message);
        }
    }
}
