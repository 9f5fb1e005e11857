package io.csrflow.approver.domain;

import java.util.Optional;

import io.csrflow.events.Requester;
import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.SignerNames;

/**
 * Kubelet client certificates, as kube-controller-manager's sarapprove does it: a renewal
 * (spec.username equal to the CN) needs {@code create} on {@code .../selfnodeclient}, tried first; a
 * bootstrap needs {@code .../nodeclient}. Recognised but not allowed: no opinion, asked again later.
 */
final class KubeletClientRule implements ApprovalRule {
    static final String NAME = "kubelet-client";
    static final String SELF_MESSAGE = "Auto approving self kubelet client certificate after SubjectAccessReview.";
    static final String NODE_MESSAGE = "Auto approving kubelet client certificate after SubjectAccessReview.";

    private final PolicySettings.KubeletClient settings;
    private final AccessReview accessReview;

    KubeletClientRule(PolicySettings.KubeletClient settings, AccessReview accessReview) {
        this.settings = settings;
        this.accessReview = accessReview;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        if (!settings.enabled() || !SignerNames.KUBELET_CLIENT.equals(review.csr().signerName())) {
            return Optional.empty();
        }
        Recognition recognition = Recognizers.kubeletClient(review.recognizerRequest());
        review.addAll(recognition.checks());
        if (!recognition.recognized()) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.NOT_RECOGNIZED, "not a kubelet client CSR: "
                    + recognition.firstFailure().detail(), review.checks(), false));
        }
        Requester requester = review.csr().requester();
        if (review.parsed().commonName().equals(requester.username())) {
            boolean self = accessReview.mayCreate(requester, "selfnodeclient");
            review.check("sar-selfnodeclient", self, requester.username() + (self ? " may" : " may not")
                    + " create certificatesigningrequests/selfnodeclient");
            if (self) {
                return Optional.of(Decision.approved(NAME, SELF_MESSAGE, review.checks()));
            }
        }
        boolean node = accessReview.mayCreate(requester, "nodeclient");
        review.check("sar-nodeclient", node, requester.username() + (node ? " may" : " may not")
                + " create certificatesigningrequests/nodeclient");
        if (node) {
            return Optional.of(Decision.approved(NAME, NODE_MESSAGE, review.checks()));
        }
        String message = "recognized as a kubelet client CSR but " + requester.username()
                + " is not authorized by SubjectAccessReview";
        if (settings.denyUnauthorized()) {
            return Optional.of(Decision.denied(NAME, DecisionReason.NOT_AUTHORIZED, message, review.checks()));
        }
        return Optional.of(Decision.noOpinion(NAME, DecisionReason.NOT_AUTHORIZED, message, review.checks(), true));
    }
}
