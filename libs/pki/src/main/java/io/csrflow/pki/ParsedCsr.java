package io.csrflow.pki;

import java.security.PublicKey;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A PKCS#10 request that parsed within limits and whose key the key policy allows. The signature
 * and the subject and SAN rules are not yet checked: {@link CsrVerifier} does that.
 * {@code subjectAttributeTypes}: every attribute type of the subject, in order ({@code CN},
 * {@code O}, or an OID such as {@code 1.3.6.1.4.1.57683.2}).
 */
public record ParsedCsr(
        PKCS10CertificationRequest request,
        X500Name subject,
        String commonName,
        List<String> organizations,
        List<String> subjectAttributeTypes,
        PublicKey publicKey,
        KeyDescription key,
        SubjectAltNames sans,
        List<String> requestedExtensions,
        String signatureAlgorithm) {

    public ParsedCsr {
        organizations = List.copyOf(organizations);
        subjectAttributeTypes = List.copyOf(subjectAttributeTypes);
        requestedExtensions = List.copyOf(requestedExtensions);
    }
}
