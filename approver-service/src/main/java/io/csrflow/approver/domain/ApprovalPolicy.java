package io.csrflow.approver.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.csrflow.events.CsrObserved;
import io.csrflow.pki.CsrVerifier;

/**
 * The approval policy: an ordered table of rules, the first that decides wins. Pure: it reads the
 * CSR snapshot it is given and asks its two ports (SubjectAccessReview, the Node directory) and its
 * clock; it writes nothing.
 */
public final class ApprovalPolicy {
    private final List<ApprovalRule> rules;
    private final String version;

    public ApprovalPolicy(PolicySettings settings, CsrVerifier verifier, AccessReview accessReview,
            NodeDirectory nodes, Clock clock) {
        this.rules = List.of(
                new NotOursRule(settings.signerNames()),
                new RequestIntegrityRule(verifier),
                new KubeletClientRule(settings.kubeletClient(), accessReview),
                new KubeletServingRule(settings.kubeletServing(), settings.cluster(), nodes, clock),
                new ApiserverClientRule(settings.apiserverClient()));
        this.version = fingerprint(settings + " " + verifier);
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
