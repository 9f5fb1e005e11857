package io.csrflow.approver.domain;

import java.util.Optional;
import java.util.Set;

import io.csrflow.events.CsrPhase;

/** Signers the approver does not handle, and CSRs already decided, are left alone without a word. */
final class NotOursRule implements ApprovalRule {
    private final Set<String> signerNames;

    NotOursRule(Set<String> signerNames) {
        this.signerNames = Set.copyOf(signerNames);
    }

    @Override
    public String name() {
        return "not-ours";
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        String signer = review.csr().signerName();
        if (!signerNames.contains(signer)) {
            review.check("signer-handled", false, signer + " is not a signer this approver handles");
            return Optional.of(Decision.notOurs("signer " + signer + " is not handled", review.checks()));
        }
        review.check("signer-handled", true, signer);
        CsrPhase phase = review.csr().phase();
        if (phase != CsrPhase.PENDING) {
            review.check("pending", false, "the CSR is already " + phase.wireName());
            return Optional.of(Decision.notOurs("already " + phase.wireName(), review.checks()));
        }
        review.check("pending", true, "no Approved or Denied condition yet");
        return Optional.empty();
    }
}
