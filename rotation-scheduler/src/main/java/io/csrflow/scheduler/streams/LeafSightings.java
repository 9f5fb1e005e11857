package io.csrflow.scheduler.streams;

import java.security.cert.X509Certificate;
import java.time.Instant;

import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

import io.csrflow.events.Identities;
import io.csrflow.events.Identity;
import io.csrflow.pki.Pem;
import io.csrflow.scheduler.inventory.Sighting;

/**
 * A sighting is built from the certificate itself, never from what an event says about it: serial,
 * issuer, validity and common name come from the DER the CA signed. An event whose own fields
 * disagree with its certificate is forged or broken and is refused, so that a genuine certificate
 * cannot be replayed under another identity or with a later validity to cancel a real renewal.
 */
final class LeafSightings {
    private LeafSightings() {
    }

    /**
     * @param requester the CSR's {@code spec.username} (null if not known): with the signer name, it
     *                  decides whether the identity is a workload's (see {@link Identities})
     */
    static Sighting of(String signerName, String requester, String csrName, X509Certificate leaf, Instant seenAt,
            Sighting.Source source) {
        Identity identity = Identities.of(signerName, requester, commonName(leaf), leaf);
        return new Sighting(identity, Sighting.nodeOf(identity), csrName,
                leaf.getSerialNumber().toString(16), leaf.getIssuerX500Principal().getName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), seenAt, source);
    }

    /**
     * @throws IllegalArgumentException naming the first field of {@code claimed} that its certificate contradicts
     */
    static void requireSame(Sighting claimed, Sighting certified) {
        require("identity", claimed.identity().key(), certified.identity().key());
        require("serial", claimed.serial(), certified.serial());
        require("issuer", claimed.issuer(), certified.issuer());
        require("notBefore", claimed.notBefore(), certified.notBefore());
        require("notAfter", claimed.notAfter(), certified.notAfter());
    }

    private static void require(String field, Object claimed, Object certified) {
        if (!claimed.equals(certified)) {
            throw new IllegalArgumentException("the event's " + field + " '" + claimed + "' is not its certificate's '"
                    + certified + "'");
        }
    }

    /** The first certificate of a PEM bundle, or an exception naming the CSR. */
    static X509Certificate parseLeaf(String pem, String csrName) {
        return parseFirst(pem, "CSR " + csrName + ", certificate field");
    }

    /** The first certificate of a PEM bundle, or an exception naming where the bundle came from. */
    static X509Certificate parseFirst(String pem, String where) {
        try {
            return Pem.firstCertificate(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The subject's CN as its string, unescaped: what Kubernetes takes as the user name. */
    static String commonName(X509Certificate certificate) {
        RDN[] cns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (cns.length == 0) {
            return "";
        }
        var value = cns[0].getFirst().getValue();
        return value instanceof ASN1String text ? text.getString() : value.toString();
    }
}
