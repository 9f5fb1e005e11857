package io.csrflow.emulator;

/**
 * One of kube-apiserver's authorizers: it allows a request or has no opinion, with a reason that
 * the API server passes on (in a 403's message, a SubjectAccessReview's status).
 */
interface Authorizer {
    record Decision(boolean allowed, String reason) {
        static final Decision NO_OPINION = new Decision(false, "");

        static Decision allow(String reason) {
            return new Decision(true, reason);
        }

        static Decision noOpinion(String reason) {
            return new Decision(false, reason);
        }
    }

    Decision authorize(RequestAttributes request);
}
