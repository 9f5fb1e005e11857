package io.csrflow.pki;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;

/**
 * The post-issuance check (Boulder's): the certificate just signed is read back and must verify
 * with the CA's key, carry the CSR's public key, subject and SANs, the computed validity, and not be
 * a CA. A mismatch is a bug in the signer and is never published.
 */
public final class IssuanceCheck {
    private IssuanceCheck() {
    }

    /** @throws IllegalStateException naming the first thing that differs */
    public static void verify(X509Certificate certificate, ParsedCsr csr, Validity validity, CertificateAuthority ca,
            Provider provider) {
        try {
            // With the signer's provider: the platform default for EC on Java 17 is SunEC, ~15x slower.
            certificate.verify(ca.certificate().getPublicKey(), provider);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("issued certificate does not verify with the CA key: " + e.getMessage(), e);
        }
        require(Arrays.equals(certificate.getPublicKey().getEncoded(), csr.publicKey().getEncoded()),
                "issued certificate does not carry the CSR's public key");
        require(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).equals(csr.subject()),
                "issued certificate's subject differs from the CSR's");
        require(certificate.getNotBefore().toInstant().equals(validity.notBefore())
                && certificate.getNotAfter().toInstant().equals(validity.notAfter()),
                "issued certificate's validity differs from the computed one");
        require(certificate.getBasicConstraints() == -1, "issued certificate is a CA certificate");
        SubjectAltNames sans = csr.sans();
        require(names(certificate, 2).equals(sans.dnsNames()), "issued certificate's DNS names differ from the CSR's");
        require(names(certificate, 7).stream().map(IssuanceCheck::canonicalIp).toList()
                .equals(sans.ipAddresses().stream().map(IssuanceCheck::canonicalIp).toList()),
                "issued certificate's IP addresses differ from the CSR's");
        require(names(certificate, 1).equals(sans.emails()) && names(certificate, 6).equals(sans.uris()),
                "issued certificate's email or URI SANs differ from the CSR's");
    }

    private static List<String> names(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            List<String> names = new ArrayList<>();
            if (all != null) {
                for (List<?> entry : all) {
                    if (((Integer) entry.get(0)) == type) {
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
            return names;
        } catch (CertificateParsingException e) {
            throw new IllegalStateException("issued certificate's SANs do not parse", e);
        }
    }

    private static String canonicalIp(String literal) {
        try {
            return java.net.InetAddress.getByAddress(java.net.InetAddress.getByName(literal).getAddress())
                    .getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return literal;
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
