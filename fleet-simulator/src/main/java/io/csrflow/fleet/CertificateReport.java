package io.csrflow.fleet;

import java.time.Instant;

/** The certificate of one kind a node holds now (null fields when none), and how many it got. */
record CertificateReport(String serial, String csrName, Instant notBefore, Instant notAfter, int issued,
                         int rotations) {

    static CertificateReport of(HeldCertificate held, int issued, int rotations) {
        return held == null ? new CertificateReport(null, null, null, null, issued, rotations)
                : new CertificateReport(held.serial(), held.csrName(), held.notBefore(), held.notAfter(), issued,
                        rotations);
    }
}
