package io.csrflow.approver.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.csrflow.events.CsrObserved;
import io.csrflow.pki.CsrVerifier;

/**
 * The approval policy: an ordered table of rules, the first that decides wins. Pure: it reads the
 * CSR snapshot it is given and asks its ports (SubjectAccessReview, the Node and workload directories) and its
 * clock; it writes nothing.
 */
public final class ApprovalPolicy {
    private final List<ApprovalRule> rules;
    private final String version;

    public ApprovalPolicy(PolicySettings settings, CsrVerifier verifier, AccessReview accessReview,
            NodeDirectory nodes, WorkloadDirectory workloads, Clock clock) {
        this.rules = List.of(
                new NotOursRule(handled(settings)),
                new RequestIntegrityRule(verifier),
                new KubeletClientRule(settings.kubeletClient(), accessReview),
                new KubeletServingRule(settings.kubeletServing(), settings.cluster(), nodes, clock),
                new ApiserverClientRule(settings.apiserverClient()),
                new WorkloadServingRule(settings.workload(), settings.cluster(), workloads));
        this.version = fingerprint(settings + " " + verifier);
    }

    /** The configured signer names and, when the workload rule is on, its signer names. */
    static Set<String> handled(PolicySettings settings) {
        Set<String> names = new TreeSet<>(settings.signerNames());
        if (settings.workload().enabled()) {
            names.addAll(settings.workload().signerNames());
        }
        return names;
    }

    /** Identifies the settings this policy was built from: equal settings, equal version. */
    public String version() {
        return version;
    }

    /** @throws TransientFailure if a port could not answer; nothing was decided. */
    public Decision evaluate(CsrObserved csr) {
        Review review = new Review(csr);
        for (ApprovalRule rule : rules) {
            Optional<Decision> decision = rule.evaluate(review);
            if (decision.isPresent()) {
                return decision.get();
            }
        }
        return Decision.noOpinion("no-rule", DecisionReason.NO_RULE_MATCHED, "no rule of this approver applies to signer "
                + csr.signerName(), review.checks(), false);
    }

    private static String fingerprint(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
