package io.csrflow.pki;

import java.security.PublicKey;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A PKCS#10 request that parsed within limits. The signature is not yet checked: see
 * {@link CsrParser#verifySignature(ParsedCsr)}.
 */
public record ParsedCsr(
        PKCS10CertificationRequest request,
        X500Name subject,
        String commonName,
        List<String> organizations,
        PublicKey publicKey,
        KeyDescription key,
        SubjectAltNames sans,
        List<String> requestedExtensions,
        String signatureAlgorithm) {

    public ParsedCsr {
        organizations = List.copyOf(organizations);
        requestedExtensions = List.copyOf(requestedExtensions);
    }
}
