package io.csrflow.events;

import java.time.Instant;
import java.util.List;

/**
 * {@code io.csrflow.cert.issued.v1}: a certificate written to a CSR's {@code status.certificate},
 * keyed by {@link Identity#key()}, the identity derived by {@link Identities}. {@code serial} is lower-case hex.
 */
public record CertIssued(
        Identity identity,
        String csrName,
        String csrUid,
        String subject,
        List<String> dnsNames,
        List<String> ipAddresses,
        String serial,
        Instant notBefore,
        Instant notAfter,
        String sha256Fingerprint,
        String issuer,
        String certificate,
        Instant issuedAt) {

    public CertIssued {
        Require.field(identity, "identity");
        Require.field(csrName, "csrName");
        Require.field(serial, "serial");
        Require.field(notBefore, "notBefore");
        Require.field(notAfter, "notAfter");
        Require.field(issuer, "issuer");
        Require.field(certificate, "certificate");
        Require.field(issuedAt, "issuedAt");
        dnsNames = Require.list(dnsNames);
        ipAddresses = Require.list(ipAddresses);
    }
}
