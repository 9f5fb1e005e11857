package io.csrflow.approver.kube;

import jakarta.enterprise.context.ApplicationScoped;

import io.csrflow.approver.domain.AccessReview;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.events.Requester;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** SubjectAccessReviews through the API server, subject = the CSR's requester. */
@ApplicationScoped
public class KubeAccessReview implements AccessReview {
    private final KubernetesClient client;
    private final MeterRegistry registry;

    KubeAccessReview(KubernetesClient client, MeterRegistry registry) {
        this.client = client;
        this.registry = registry;
    }

    @Override
    public boolean mayCreate(Requester requester, String subresource) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(requester.username())
                .withUid(requester.uid())
                .withGroups(requester.groups())
                .withExtra(requester.extra())
                .withNewResourceAttributes()
                .withGroup("certificates.k8s.io").withResource("certificatesigningrequests")
                .withSubresource(subresource).withVerb("create")
                .endResourceAttributes().endSpec().build();
        Timer.Sample sample = Timer.start(registry);
        try {
            SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
            boolean allowed = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
            sample.stop(registry.timer("csrflow.approver.sar", "subresource", subresource, "allowed",
                    String.valueOf(allowed)));
            return allowed;
        } catch (KubernetesClientException e) {
            registry.counter("csrflow.approver.sar.errors", "code", String.valueOf(e.getCode())).increment();
            throw new TransientFailure("SubjectAccessReview for " + requester.username() + " failed: "
                    + e.getMessage(), e);
        }
    }
}
