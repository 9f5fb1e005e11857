package io.csrflow.events;

import java.time.Instant;
import java.util.List;

/**
 * {@code io.csrflow.csr.observed.v1}: a full snapshot of one CertificateSigningRequest as the
 * watcher saw it, keyed by CSR name. {@code certificate} is present once the CSR is issued.
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
        Instant observedAt) {

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
}
