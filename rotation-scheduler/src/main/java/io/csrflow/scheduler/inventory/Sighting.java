package io.csrflow.scheduler.inventory;

import java.time.Instant;

import io.csrflow.events.Identity;

/**
 * One certificate seen on an input topic: from {@code cert.issued}, from a {@code csr.observed}
 * snapshot in phase Issued, or from a {@code pcr.observed} snapshot in phase Issued (a pod's
 * certificate: {@code pod} is set, {@code csrName} and {@code nodeName} are not). The same certificate
 * is usually seen more than once; {@link #sameCertificate} says so by serial and issuer, as X.509
 * defines a certificate's uniqueness.
 */
public record Sighting(
        Identity identity,
        String nodeName,
        String csrName,
        String serial,
        String issuer,
        Instant notBefore,
        Instant notAfter,
        Instant seenAt,
        Source source,
        PodCertificate pod) {

    /** Where a sighting came from; kept for the HTTP view so an operator can trace it. */
    public enum Source {
        CERT_ISSUED, CSR_OBSERVED, PCR_OBSERVED
    }

    private static final String NODE_PREFIX = "system:node:";

    public Sighting {
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("certificate " + serial + " of " + identity.key()
                    + " has NotAfter " + notAfter + " not after NotBefore " + notBefore);
        }
        if ((pod != null) != (source == Source.PCR_OBSERVED)) {
            throw new IllegalArgumentException("a sighting from " + source + (pod == null ? " needs" : " cannot have")
                    + " pod certificate details");
        }
    }

    /** A certificate issued for a CSR. */
    public Sighting(Identity identity, String nodeName, String csrName, String serial, String issuer,
            Instant notBefore, Instant notAfter, Instant seenAt, Source source) {
        this(identity, nodeName, csrName, serial, issuer, notBefore, notAfter, seenAt, source, null);
    }

    /**
     * The node a kubelet identity belongs to (a subject identity with CN {@code system:node:NAME}),
     * or null. Never a workload identity's: a ServiceAccount's certificate is no node's, whatever its
     * name, and must not be forgotten when a Node of that name goes away.
     */
    public static String nodeOf(Identity identity) {
        if (identity.isWorkload()) {
            return null;
        }
        String commonName = identity.commonName();
        if (commonName != null && commonName.startsWith(NODE_PREFIX) && commonName.length() > NODE_PREFIX.length()) {
            return commonName.substring(NODE_PREFIX.length());
        }
        return null;
    }

    public boolean sameCertificate(String otherSerial, String otherIssuer) {
        return serial.equalsIgnoreCase(otherSerial) && issuer.equals(otherIssuer);
    }
}
