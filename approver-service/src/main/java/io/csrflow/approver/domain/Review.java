package io.csrflow.approver.domain;

import java.util.ArrayList;
import java.util.List;

import io.csrflow.events.CsrObserved;
import io.csrflow.events.PolicyCheck;
import io.csrflow.pki.ParsedCsr;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.RuleCheck;

/** One evaluation in progress: the CSR, its parsed request once checked, and every check so far. */
final class Review {
    private final CsrObserved csr;
    private final List<PolicyCheck> checks = new ArrayList<>();
    private ParsedCsr parsed;

    Review(CsrObserved csr) {
        this.csr = csr;
    }

    CsrObserved csr() {
        return csr;
    }

    ParsedCsr parsed() {
        return parsed;
    }

    void parsed(ParsedCsr value) {
        parsed = value;
    }

    PolicyCheck check(String name, boolean passed, String detail) {
        PolicyCheck check = new PolicyCheck(name, passed, detail);
        checks.add(check);
        return check;
    }

    /** A recognizer's checks, as the decision event carries them. */
    void addAll(List<RuleCheck> more) {
        more.forEach(c -> check(c.name(), c.passed(), c.detail()));
    }

    List<PolicyCheck> checks() {
        return List.copyOf(checks);
    }

    Recognizers.Request recognizerRequest() {
        return new Recognizers.Request(csr.signerName(), csr.usages(), csr.requester().username(), parsed);
    }
}
