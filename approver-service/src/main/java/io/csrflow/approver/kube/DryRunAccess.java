package io.csrflow.approver.kube;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.approver.domain.TransientFailure;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Who may ask the dry run: it runs SubjectAccessReviews for any identity in the body and shows Node
 * addresses, so the caller must bring a bearer token the API server accepts (TokenReview) and be
 * allowed {@code create} on {@code evaluations.csrflow.io} (SubjectAccessReview), as an aggregated
 * API server checks its callers. The token must be meant for csrflow ({@link #AUDIENCE}, e.g.
 * {@code kubectl create token NAME --audience csrflow-approver}): a caller's general API token is not
 * accepted, so handing one to the approver is never needed. The ClusterRole {@code csrflow-dry-run} in
 * {@code k8s/} grants the permission.
 */
@ApplicationScoped
public class DryRunAccess {
    public static final String GROUP = "csrflow.io";
    public static final String RESOURCE = "evaluations";
    public static final String VERB = "create";
    public static final String AUDIENCE = "csrflow-approver";

    /** ALLOWED, or 401/403 with what is wrong. */
    public enum Outcome { ALLOWED, UNAUTHENTICATED, FORBIDDEN }

    public record Verdict(Outcome outcome, String user, String message) {
    }

    private final KubernetesClient client;

    DryRunAccess(KubernetesClient client) {
        this.client = client;
    }

    /** @throws TransientFailure when the API server cannot answer */
    public Verdict check(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            return new Verdict(Outcome.UNAUTHENTICATED, null,
                    "the dry run needs an Authorization: Bearer <token> header with a token the API server accepts");
        }
        String token = authorization.substring(7).trim();
        UserInfo user;
        try {
            TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
                    .withNewSpec().withToken(token).withAudiences(AUDIENCE).endSpec().build());
            if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                    || review.getStatus().getUser() == null) {
                return new Verdict(Outcome.UNAUTHENTICATED, null, "the API server does not accept this token");
            }
            if (review.getStatus().getAudiences() == null || !review.getStatus().getAudiences().contains(AUDIENCE)) {
                return new Verdict(Outcome.UNAUTHENTICATED, null, "the token is not meant for " + AUDIENCE
                        + " (kubectl create token NAME --audience " + AUDIENCE + ")");
            }
            user = review.getStatus().getUser();
        } catch (KubernetesClientException e) {
            throw new TransientFailure("TokenReview failed: " + e.getMessage(), e);
        }
        try {
            SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(
                    new SubjectAccessReviewBuilder().withNewSpec()
                            .withUser(user.getUsername()).withUid(user.getUid())
                            .withGroups(user.getGroups() == null ? List.of() : user.getGroups())
                            .withExtra(user.getExtra() == null ? Map.of() : user.getExtra())
                            .withNewResourceAttributes().withGroup(GROUP).withResource(RESOURCE).withVerb(VERB)
                            .endResourceAttributes().endSpec().build());
            boolean allowed = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
            return allowed ? new Verdict(Outcome.ALLOWED, user.getUsername(), null)
                    : new Verdict(Outcome.FORBIDDEN, user.getUsername(), user.getUsername() + " may not " + VERB + " "
                            + RESOURCE + "." + GROUP + " (the ClusterRole csrflow-dry-run grants it)");
        } catch (KubernetesClientException e) {
            throw new TransientFailure("SubjectAccessReview failed: " + e.getMessage(), e);
        }
    }
}
