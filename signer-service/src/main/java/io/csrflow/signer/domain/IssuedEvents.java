package io.csrflow.signer.domain;

import java.security.cert.X509Certificate;
import java.time.Instant;

import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.Identities;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.Fingerprints;
import io.csrflow.pki.ParsedCsr;

/** The {@code cert.issued} event of a certificate written to a CSR, the same however it is announced. */
public final class IssuedEvents {
    private IssuedEvents() {
    }

    /**
     * The event of {@code certificate}, issued for {@code csr}. Its identity comes from the contract's
     * one derivation ({@link Identities}), with the SANs as the certificate carries them, so that the
     * rotation-scheduler, deriving it again from {@code csr.observed}, finds the same identity.
     */
    public static CertIssued of(CsrObserved csr, ParsedCsr parsed, X509Certificate certificate, String pem, Instant now) {
        return new CertIssued(Identities.of(csr.signerName(), csr.requester().username(), parsed.commonName(),
                certificate), csr.name(), csr.uid(),
                certificate.getSubjectX500Principal().getName(), parsed.sans().dnsNames(), parsed.sans().ipAddresses(),
                CertificateIssuer.serialHex(certificate), certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(), fingerprint(certificate),
                certificate.getIssuerX500Principal().getName(), pem, now);
    }

    /** Lower-case hex SHA-256 of the DER encoding: what {@code cert.issued} and its index key on. */
    public static String fingerprint(X509Certificate certificate) {
        return Fingerprints.sha256(certificate);
    }
}
