package io.csrflow.pki;

import java.security.PublicKey;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Exactly what a certificate will say, decided by {@link SigningPolicy} before anything is signed:
 * {@link CertificateIssuer} encodes it and {@link IssuanceCheck} compares the result with it byte
 * for byte. {@code commonName} and {@code organizations} are the verified strings the subject
 * must say (null CN when there is none); {@code sans} is null when there are none;
 * {@code keyUsageBits} 0 when none.
 */
public record CertificateTemplate(X500Name subject, String commonName, List<String> organizations,
                                  PublicKey publicKey, GeneralNames sans, int keyUsageBits,
                                  List<KeyPurposeId> extendedKeyUsages, Validity validity) {

    public CertificateTemplate {
        organizations = List.copyOf(organizations);
        extendedKeyUsages = List.copyOf(extendedKeyUsages);
    }
}
