package io.csrflow.events;

import java.time.Instant;
import java.util.List;

/**
 * {@code io.csrflow.csr.observed.v1}: a full snapshot of one CertificateSigningRequest as the
 * watcher saw it, keyed by CSR name. {@code certificate} is present once the CSR is issued.
 * {@code deletedBecause} is present only on phase {@link CsrPhase#DELETED}, and only when the
 * watcher's cleaner deleted the CSR; a CSR deleted by anyone else, and every event of a producer
 * older than the field, has none.
 */
public record CsrObserved(
        String name,
        String uid,
        String resourceVersion,
        String signerName,
        String request,
        List<String> usages,
        Integer expirationSeconds,
        Requester requester,
        List<CsrCondition> conditions,
        String certificate,
        CsrPhase phase,
        Instant createdAt,
        Instant observedAt,
        CsrDeletionReason deletedBecause) {

    public CsrObserved {
        Require.field(name, "name");
        Require.field(uid, "uid");
        Require.field(resourceVersion, "resourceVersion");
        Require.field(signerName, "signerName");
        Require.field(phase, "phase");
        Require.field(observedAt, "observedAt");
        usages = Require.list(usages);
        conditions = Require.list(conditions);
        requester = requester == null ? new Requester(null, null, null, null) : requester;
    }

    /** A snapshot without a deletion reason: every phase but a CSR the cleaner deleted. */
    public CsrObserved(String name, String uid, String resourceVersion, String signerName, String request,
            List<String> usages, Integer expirationSeconds, Requester requester, List<CsrCondition> conditions,
            String certificate, CsrPhase phase, Instant createdAt, Instant observedAt) {
        this(name, uid, resourceVersion, signerName, request, usages, expirationSeconds, requester, conditions,
                certificate, phase, createdAt, observedAt, null);
    }

    /** This Deleted snapshot, saying why the cleaner deleted the CSR. */
    public CsrObserved withDeletedBecause(CsrDeletionReason reason) {
        if (phase != CsrPhase.DELETED) {
            throw new IllegalStateException("CSR " + name + " is " + phase.wireName()
                    + ", not Deleted: only a deletion has a reason");
        }
        return new CsrObserved(name, uid, resourceVersion, signerName, request, usages, expirationSeconds, requester,
                conditions, certificate, phase, createdAt, observedAt, reason);
    }
}
