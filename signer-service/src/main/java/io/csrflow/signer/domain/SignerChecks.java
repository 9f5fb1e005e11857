package io.csrflow.signer.domain;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.csrflow.events.CsrObserved;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.CsrSpec;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.RuleCheck;
import io.csrflow.pki.SignerNames;
import io.csrflow.pki.SignerProfile;

/**
 * What the signer re-checks whatever the approver or an administrator said, as Boulder's CA
 * re-checks its RA: the same {@link CsrVerifier} with the same configuration as the approver
 * (proof of possession, key policy, subject and SAN types, system:masters, node names, lifetime),
 * then the rules of the signer name (the recognizers, legacy-unknown's allowed usages, or the profile
 * of a signer that is not Kubernetes'). The
 * answer is the reason the CSR fails validation, or empty.
 */
public final class SignerChecks {
    /** The check name of a CSR asking for a pod's SPIFFE identity. */
    public static final String SPIFFE_CHECK = "pod-spiffe-id";
    private final CsrVerifier verifier;

    public SignerChecks(CsrVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * What the checks found: the parsed request if it may be signed, otherwise the check that failed
     * (a bounded name, fit for a metric label) and the message for the CSR's Failed condition.
     */
    public record Outcome(ParsedCsr parsed, String failedCheck, String message) {
        static Outcome signable(ParsedCsr parsed) {
            return new Outcome(parsed, null, null);
        }

        static Outcome failed(String check, String message) {
            return new Outcome(null, check, message);
        }

        public boolean signable() {
            return parsed != null;
        }
    }

    /**
     * @param allowedUsages what legacy-unknown may certify; empty otherwise
     * @param profile the profile of a signer that is not Kubernetes'; empty for Kubernetes' signers
     * @param podTrustDomains the SPIFFE trust domains pod certificates are issued in: their IDs name a
     *        pod's namespace and service account, which only the pod path checks, so no CSR may carry one
     */
    public Outcome check(CsrObserved csr, Optional<Set<String>> allowedUsages, Optional<SignerProfile> profile,
            Set<String> podTrustDomains) {
        ParsedCsr parsed;
        try {
            parsed = verifier.verify(new CsrSpec(csr.signerName(), csr.request(), csr.expirationSeconds()));
        } catch (CsrRejectedException e) {
            String reason = e.rejection().reason();
            return Outcome.failed(reason, reason + ": " + e.getMessage());
        }
        for (String uri : parsed.sans().uris()) {
            for (String domain : podTrustDomains) {
                if (uri.toLowerCase(Locale.ROOT).startsWith("spiffe://" + domain + "/")
                        || uri.equalsIgnoreCase("spiffe://" + domain)) {
                    return Outcome.failed(SPIFFE_CHECK, "invalid " + csr.signerName() + " request: URI SAN \""
                            + CsrParser.escape(uri) + "\" is an identity of trust domain " + domain + ", which csrflow "
                            + "issues to pods only, through PodCertificateRequests");
                }
            }
        }
        if (allowedUsages.isPresent() && !allowedUsages.get().containsAll(csr.usages())) {
            return Outcome.failed(signerName(csr) + "/usages", "invalid " + signerName(csr) + " request: usages "
                    + csr.usages() + " are not all among the usages this signer is configured to certify "
                    + allowedUsages.get().stream().sorted().toList());
        }
        if (profile.isPresent()) {
            Optional<RuleCheck> broken = profile.get().firstViolation(csr.usages(), parsed);
            if (broken.isPresent()) {
                return Outcome.failed(broken.get().name(), "invalid " + csr.signerName() + " request: "
                        + broken.get().name() + ": " + broken.get().detail());
            }
        }
        Optional<Recognition> rules = rulesOf(csr, parsed);
        if (rules.isPresent() && !rules.get().recognized()) {
            RuleCheck failed = rules.get().firstFailure();
            return Outcome.failed(rules.get().recognizer() + "/" + failed.name(), "invalid "
                    + rules.get().recognizer() + " request: " + failed.name() + ": " + failed.detail());
        }
        return Outcome.signable(parsed);
    }

    private static String signerName(CsrObserved csr) {
        return csr.signerName().substring(csr.signerName().indexOf('/') + 1);
    }

    private static Optional<Recognition> rulesOf(CsrObserved csr, ParsedCsr parsed) {
        Recognizers.Request request = new Recognizers.Request(csr.signerName(), csr.usages(),
                csr.requester().username(), parsed);
        return switch (csr.signerName()) {
            case SignerNames.KUBELET_CLIENT -> Optional.of(Recognizers.kubeletClient(request));
            case SignerNames.KUBELET_SERVING -> Optional.of(Recognizers.kubeletServing(request));
            case SignerNames.APISERVER_CLIENT -> Optional.of(Recognizers.apiserverClient(request));
            default -> Optional.empty();
        };
    }
}
