package io.csrflow.approver.domain;

import java.util.Optional;

import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.CsrSpec;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.ParsedCsr;

/**
 * The verification the signer repeats before it signs ({@link CsrVerifier}, one configuration for
 * both): a request that does not parse, lacks proof of possession, carries a weak key, a subject
 * attribute or SAN type that is never certified, {@code system:masters}, an invalid node name or a
 * lifetime the API refuses is denied, naming the rule.
 */
final class RequestIntegrityRule implements ApprovalRule {
    static final String NAME = "request-integrity";

    private final CsrVerifier verifier;

    RequestIntegrityRule(CsrVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        try {
            ParsedCsr parsed = verifier.verify(new CsrSpec(review.csr().signerName(), review.csr().request(),
                    review.csr().expirationSeconds()));
            review.check("verified", true, "PKCS#10, " + parsed.key() + ", signed " + parsed.signatureAlgorithm()
                    + ", subject " + String.join(",", parsed.subjectAttributeTypes()) + ", "
                    + parsed.requestedExtensions().size() + " requested extensions");
            review.parsed(parsed);
            return Optional.empty();
        } catch (CsrRejectedException e) {
            review.check("verified", false, e.rejection().reason() + ": " + e.getMessage());
            return Optional.of(Decision.denied(NAME, e.rejection(), e.getMessage(), review.checks()));
        }
    }
}
