package io.csrflow.approver.domain;

import java.util.Optional;

import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.KeyPolicy;
import io.csrflow.pki.ParsedCsr;

/** A request that does not parse, lacks proof of possession, or carries a weak key is denied, naming why. */
final class RequestIntegrityRule implements ApprovalRule {
    static final String NAME = "request-integrity";

    private final CsrParser parser;
    private final KeyPolicy keys;

    RequestIntegrityRule(CsrParser parser, KeyPolicy keys) {
        this.parser = parser;
        this.keys = keys;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        ParsedCsr parsed;
        try {
            parsed = parser.parse(review.csr().request());
            review.check("parse", true, "PKCS#10, " + parsed.requestedExtensions().size() + " requested extensions");
        } catch (CsrRejectedException e) {
            return deny(review, "parse", e);
        }
        try {
            parser.verifySignature(parsed);
            review.check("proof-of-possession", true, parsed.signatureAlgorithm());
        } catch (CsrRejectedException e) {
            return deny(review, "proof-of-possession", e);
        }
        try {
            keys.check(parsed.key());
            review.check("key-strength", true, parsed.key().toString());
        } catch (CsrRejectedException e) {
            return deny(review, "key-strength", e);
        }
        review.parsed(parsed);
        return Optional.empty();
    }

    private static Optional<Decision> deny(Review review, String check, CsrRejectedException e) {
        review.check(check, false, e.getMessage());
        return Optional.of(Decision.denied(NAME, e.rejection().reason(), e.getMessage(), review.checks()));
    }
}
