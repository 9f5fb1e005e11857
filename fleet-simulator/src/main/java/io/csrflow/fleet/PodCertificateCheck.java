package io.csrflow.fleet;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.csrflow.pki.Pem;

/**
 * What the pod and its clients can check of an issued PodCertificateRequest, in order, stopping at
 * the first violation and naming it: the chain is readable, its leaf certifies the pod's own key and
 * names the pod's SPIFFE identity, the status times are the leaf's, {@code beginRefreshAt} lies where
 * the API's rule puts it, and the chain leads, as a TLS client validates it, to a CA of the signer's
 * ClusterTrustBundles.
 */
final class PodCertificateCheck {
    /** beginRefreshAt lies at least this long after notBefore and before notAfter (API validation). */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(10);
    private static final int URI_NAME = 6;

    private PodCertificateCheck() {
    }

    /** The violations, in the order they are looked for. */
    enum Problem {
        NONE,
        UNREADABLE_CHAIN,
        ANOTHER_KEY,
        WRONG_IDENTITY,
        TIMES_DIFFER,
        REFRESH_OUT_OF_RANGE,
        /** No ClusterTrustBundle of the signer (yet): the only one worth looking at again. */
        NO_TRUST_BUNDLE,
        NOT_TRUSTED;

        boolean bundlePending() {
            return this == NO_TRUST_BUNDLE;
        }
    }

    /** The outcome: the parsed chain (empty when unreadable), and the first violation with what it was. */
    record Verdict(List<X509Certificate> chain, Problem problem, String message) {
        boolean valid() {
            return problem == Problem.NONE;
        }

        static Verdict ok(List<X509Certificate> chain) {
            return new Verdict(chain, Problem.NONE, null);
        }
    }

    /**
     * @param ownKey  the public key the kubelet generated for this request
     * @param spiffeId the URI SAN the leaf must carry
     * @param bundles the PEM trust bundles of the signer's ClusterTrustBundles
     * @param now     when the chain must be valid
     */
    static Verdict verify(PodCertificateOutcome.Issued issued, PublicKey ownKey, String spiffeId, List<String> bundles,
            Instant now) {
        List<X509Certificate> chain;
        try {
            chain = issued.certificateChain() == null ? List.of() : Pem.certificates(issued.certificateChain());
        } catch (IllegalArgumentException e) {
            return new Verdict(List.of(), Problem.UNREADABLE_CHAIN, "certificateChain: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            return new Verdict(chain, Problem.UNREADABLE_CHAIN, "certificateChain holds no certificate");
        }
        X509Certificate leaf = chain.get(0);
        if (!Arrays.equals(leaf.getPublicKey().getEncoded(), ownKey.getEncoded())) {
            return new Verdict(chain, Problem.ANOTHER_KEY, "the leaf certifies another key than the one the kubelet "
                    + "generated for this request");
        }
        List<String> uris = uris(leaf);
        if (!uris.contains(spiffeId)) {
            return new Verdict(chain, Problem.WRONG_IDENTITY, "the leaf's URI SANs " + uris + " lack " + spiffeId);
        }
        Instant leafNotBefore = leaf.getNotBefore().toInstant();
        Instant leafNotAfter = leaf.getNotAfter().toInstant();
        if (!sameSecond(issued.notBefore(), leafNotBefore) || !sameSecond(issued.notAfter(), leafNotAfter)) {
            return new Verdict(chain, Problem.TIMES_DIFFER, "status notBefore/notAfter " + issued.notBefore() + "/"
                    + issued.notAfter() + " are not the leaf's " + leafNotBefore + "/" + leafNotAfter);
        }
        Instant earliest = leafNotBefore.plus(REFRESH_MARGIN);
        Instant latest = leafNotAfter.minus(REFRESH_MARGIN);
        if (issued.beginRefreshAt() == null || issued.beginRefreshAt().isBefore(earliest)
                || issued.beginRefreshAt().isAfter(latest)) {
            return new Verdict(chain, Problem.REFRESH_OUT_OF_RANGE, "beginRefreshAt " + issued.beginRefreshAt()
                    + " is outside [notBefore + 10m, notAfter - 10m] = [" + earliest + ", " + latest + "]");
        }
        return trusted(chain, bundles, now);
    }

    private static Verdict trusted(List<X509Certificate> chain, List<String> bundles, Instant now) {
        Set<X509Certificate> authorities = new LinkedHashSet<>();
        for (String bundle : bundles) {
            try {
                authorities.addAll(Pem.certificates(bundle));
            } catch (IllegalArgumentException e) {
                // A broken bundle vouches for nothing; another one of the signer's may.
            }
        }
        if (authorities.isEmpty()) {
            return new Verdict(chain, Problem.NO_TRUST_BUNDLE, "no ClusterTrustBundle of the signer holds a CA");
        }
        // The anchor itself, if the signer appended it, is not part of the path a client builds.
        List<X509Certificate> path = new ArrayList<>(chain.stream().filter(c -> !authorities.contains(c)).toList());
        try {
            Set<TrustAnchor> anchors = new LinkedHashSet<>();
            authorities.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                    .generateCertPath(path), parameters);
            return Verdict.ok(chain);
        } catch (GeneralSecurityException e) {
            return new Verdict(chain, Problem.NOT_TRUSTED, "the chain does not validate against the signer's "
                    + authorities.size() + " trusted CA(s): " + e.getMessage());
        }
    }

    private static boolean sameSecond(Instant status, Instant leaf) {
        return status != null && status.truncatedTo(ChronoUnit.SECONDS).equals(leaf.truncatedTo(ChronoUnit.SECONDS));
    }

    private static List<String> uris(X509Certificate leaf) {
        try {
            var names = leaf.getSubjectAlternativeNames();
            return names == null ? List.of() : names.stream()
                    .filter(name -> Objects.equals(name.get(0), URI_NAME))
                    .map(name -> (String) name.get(1))
                    .toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
