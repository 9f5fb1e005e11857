package io.csrflow.scheduler.inventory;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.csrflow.pki.Fingerprints;

/**
 * Certificates whose signature was found valid, each with the CA certificate that verified it. The
 * scheduler reads every certificate of csrflow's signers at least twice, from {@code cert.issued} and
 * from the Issued snapshot on {@code csr.observed} (and again on each of the watcher's resyncs), and
 * the signature check was the costliest part of reading one. A remembered certificate counts as
 * signed only if the CA certificate that verified it (equal DER) is among those it is checked
 * against now, so a CA taken out of the signer's file no longer vouches for what it signed; and a
 * certificate of other bytes has another fingerprint (SHA-256 of its whole DER, signature
 * included). The least recently used are forgotten first.
 */
final class VerifiedSignatures {
    /**
     * Enough for the two sightings of every certificate issued in a burst to meet (they come within
     * seconds of each other), at about 150 bytes each; a resync of a larger fleet verifies again.
     */
    static final int DEFAULT_CAPACITY = 16_384;

    private final int capacity;
    private final Map<String, X509Certificate> verifiedBy;
    private final AtomicLong verified = new AtomicLong();
    private final AtomicLong remembered = new AtomicLong();

    /** @param capacity how many certificates to remember; 0 verifies every time */
    VerifiedSignatures(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.verifiedBy = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Whether the key of one of {@code cas} signed {@code certificate}. The CA that verified it
     * before is asked first, without verifying again; then each CA in turn (during a rotation, the
     * current and the next, whichever signed it).
     */
    boolean signedByOneOf(X509Certificate certificate, List<X509Certificate> cas, Provider provider) {
        String fingerprint = capacity == 0 ? null : Fingerprints.sha256(certificate);
        if (fingerprint != null) {
            X509Certificate known;
            synchronized (verifiedBy) {
                known = verifiedBy.get(fingerprint);
            }
            if (known != null && cas.contains(known)) {
                remembered.incrementAndGet();
                return true;
            }
        }
        for (X509Certificate ca : cas) {
            if (verifies(certificate, ca, provider)) {
                verified.incrementAndGet();
                if (fingerprint != null) {
                    synchronized (verifiedBy) {
                        verifiedBy.put(fingerprint, ca);
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static boolean verifies(X509Certificate certificate, X509Certificate ca, Provider provider) {
        try {
            certificate.verify(ca.getPublicKey(), provider);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Signature checks that passed by verifying the signature. */
    long verified() {
        return verified.get();
    }

    /** Signature checks that passed because the same certificate had been verified by a CA checked against now. */
    long remembered() {
        return remembered.get();
    }
}
