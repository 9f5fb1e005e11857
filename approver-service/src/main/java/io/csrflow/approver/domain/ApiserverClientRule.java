package io.csrflow.approver.domain;

import java.util.List;
import java.util.Optional;

import io.csrflow.events.Requester;
import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.SignerNames;

/**
 * kube-apiserver-client certificates authenticate to the API server as their subject, so they are
 * approved only when a configured rule allows this requester that subject ({@code system:masters}
 * never gets this far: {@link RequestIntegrityRule}), and only without SANs: rules speak of subjects,
 * and a SAN would be an identity no rule considered to whoever else trusts this CA by name.
 */
final class ApiserverClientRule implements ApprovalRule {
    static final String NAME = "kube-apiserver-client";

    private final PolicySettings.ApiserverClient settings;

    ApiserverClientRule(PolicySettings.ApiserverClient settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        if (!settings.enabled() || !SignerNames.APISERVER_CLIENT.equals(review.csr().signerName())) {
            return Optional.empty();
        }
        List<String> organizations = review.parsed().organizations();
        Recognition recognition = Recognizers.apiserverClient(review.recognizerRequest());
        review.addAll(recognition.checks());
        if (!recognition.recognized()) {
            return Optional.of(Decision.denied(NAME, DecisionReason.INVALID_USAGES, recognition.firstFailure().detail(),
                    review.checks()));
        }
        Requester requester = review.csr().requester();
        int sans = review.parsed().sans().count();
        review.check("no-sans", sans == 0, sans == 0 ? "no SANs" : sans + " SAN(s) requested");
        if (sans > 0) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.NO_RULE_ALLOWS, "rules allow subjects only and "
                    + "this request also names " + sans + " SAN(s), which the API server does not read but others "
                    + "who trust this CA might; an administrator may approve it", review.checks(), false));
        }
        String cn = review.parsed().commonName() == null ? "" : review.parsed().commonName();
        for (PolicySettings.SubjectRule rule : settings.rules()) {
            boolean requesterMatches = rule.users().contains(requester.username())
                    || requester.groups().stream().anyMatch(rule.groups()::contains);
            boolean subjectMatches = rule.commonName().matcher(cn).matches()
                    && rule.organizations().containsAll(organizations);
            if (requesterMatches && subjectMatches) {
                review.check("subject-rule", true, "rule " + rule.name() + " allows " + requester.username()
                        + " to request CN=" + cn + " O=" + organizations);
                return Optional.of(Decision.approved(NAME, "Auto approving kube-apiserver-client certificate "
                        + "allowed by rule " + rule.name() + ".", review.checks()));
            }
        }
        review.check("subject-rule", false, "no rule allows " + requester.username() + " to request CN=" + cn
                + " O=" + organizations);
        return Optional.of(Decision.noOpinion(NAME, DecisionReason.NO_RULE_ALLOWS, "no configured rule allows "
                + requester.username() + " this subject; an administrator may approve it", review.checks(), false));
    }
}
