package io.csrflow.fleet;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** A certificate a node holds, with the key it was issued for. */
record HeldCertificate(KeyMaterial key, String certificatePem, X509Certificate certificate, String csrName) {

    static HeldCertificate of(KeyMaterial key, String certificatePem, String csrName) {
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
            return new HeldCertificate(key, certificatePem, certificate, csrName);
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalStateException("CSR " + csrName + " carries no readable certificate: " + e.getMessage(), e);
        }
    }

    /** Lower-case hex without leading zeros, as csrflow's events write serials. */
    String serial() {
        return certificate.getSerialNumber().toString(16);
    }

    Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(notAfter());
    }

    /** The kubelet's rotation deadline: NotBefore + T·(0.7 + 0.2·U), U uniform in [0, 1). */
    Instant kubeletDeadline(double unit) {
        long total = notAfter().toEpochMilli() - notBefore().toEpochMilli();
        return notBefore().plusMillis((long) (total * (0.7 + 0.2 * unit)));
    }
}
