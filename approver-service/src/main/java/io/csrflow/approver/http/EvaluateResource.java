package io.csrflow.approver.http;

import java.time.Clock;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.csrflow.approver.domain.ApprovalPolicy;
import io.csrflow.approver.domain.Decision;
import io.csrflow.approver.domain.TransientFailure;
import io.csrflow.approver.kube.DryRunAccess;
import io.csrflow.events.CsrObserved;
import io.csrflow.service.CsrSnapshots;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Dry run: {@code POST /v1/evaluate} with a CertificateSigningRequest in JSON or YAML answers what
 * the policy would decide and every check, as if the CSR were pending; nothing is written. Only for
 * callers with a bearer token allowed {@code create} on {@code evaluations.csrflow.io}
 * ({@link DryRunAccess}): the answer would otherwise be an oracle for SubjectAccessReviews of any
 * identity and for Node addresses.
 */
@Path("/v1/evaluate")
public class EvaluateResource {
    private final ApprovalPolicy policy;
    private final DryRunAccess access;
    private final Clock clock;

    EvaluateResource(ApprovalPolicy policy, DryRunAccess access, Clock clock) {
        this.policy = policy;
        this.access = access;
        this.clock = clock;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    public Response evaluate(@HeaderParam("Authorization") String authorization, String body) {
        DryRunAccess.Verdict verdict;
        try {
            verdict = access.check(authorization);
        } catch (TransientFailure e) {
            return Response.status(503).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
        }
        if (verdict.outcome() == DryRunAccess.Outcome.UNAUTHENTICATED) {
            return Response.status(401).type(MediaType.APPLICATION_JSON).header("WWW-Authenticate", "Bearer")
                    .entity(Map.of("error", verdict.message())).build();
        }
        if (verdict.outcome() == DryRunAccess.Outcome.FORBIDDEN) {
            return Response.status(403).type(MediaType.APPLICATION_JSON).entity(Map.of("error", verdict.message()))
                    .build();
        }
        CertificateSigningRequest csr;
        try {
            csr = Serialization.unmarshal(body, CertificateSigningRequest.class);
        } catch (RuntimeException e) {
            return bad("the body is not a CertificateSigningRequest in JSON or YAML: " + rootMessage(e));
        }
        if (csr == null) {
            return bad("the body is empty");
        }
        if (csr.getKind() != null && !"CertificateSigningRequest".equals(csr.getKind())) {
            return bad("kind must be CertificateSigningRequest, not " + csr.getKind());
        }
        if (csr.getSpec() == null || csr.getSpec().getSignerName() == null || csr.getSpec().getRequest() == null) {
            return bad("spec.signerName and spec.request are required");
        }
        // Judge the spec as if it were pending; identity fields a draft lacks are filled in.
        csr.setStatus(null);
        if (csr.getMetadata() == null) {
            csr.setMetadata(new ObjectMetaBuilder().build());
        }
        csr.getMetadata().setName(csr.getMetadata().getName() == null ? "dry-run" : csr.getMetadata().getName());
        csr.getMetadata().setUid(csr.getMetadata().getUid() == null ? "dry-run" : csr.getMetadata().getUid());
        csr.getMetadata().setResourceVersion("0");
        CsrObserved snapshot = CsrSnapshots.of(csr, false, clock.instant());
        try {
            Decision decision = policy.evaluate(snapshot);
            return Response.ok(Map.of(
                    "outcome", decision.outcome().name(),
                    "rule", decision.rule(),
                    "reason", decision.reason(),
                    "message", decision.message(),
                    "retry", decision.retry(),
                    "checks", decision.checks(),
                    "policyVersion", policy.version(),
                    "dryRun", true)).build();
        } catch (TransientFailure e) {
            return Response.status(503).entity(Map.of("error", e.getMessage())).build();
        }
    }

    private static Response bad(String message) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
