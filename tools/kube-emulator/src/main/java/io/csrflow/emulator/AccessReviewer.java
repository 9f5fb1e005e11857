package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Answers {@code authorization.k8s.io/v1} SubjectAccessReviews (for the user the spec names) and
 * SelfSubjectAccessReviews (for the caller, what {@code kubectl auth can-i} asks) with the same
 * {@link Authorization} that guards every request, as the API server does.
 */
final class AccessReviewer {
    private final Authorization authorization;

    AccessReviewer(Authorization authorization) {
        this.authorization = authorization;
    }

    ObjectNode review(ObjectNode request) {
        JsonNode spec = request.path("spec");
        String user = spec.path("user").asText("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        List<String> errors = attributeErrors("SubjectAccessReview", spec);
        if (user.isEmpty() && groups.isEmpty()) {
            errors.add("spec.user: Invalid value: \"\": at least one of user or group must be specified");
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("SubjectAccessReview.authorization.k8s.io", "", errors);
        }
        return answer(request, "SubjectAccessReview", user, groups, spec);
    }

    ObjectNode reviewSelf(ObjectNode request, EmulatorConfig.User caller) {
        JsonNode spec = request.path("spec");
        List<String> errors = attributeErrors("SelfSubjectAccessReview", spec);
        if (!errors.isEmpty()) {
            throw ApiException.invalid("SelfSubjectAccessReview.authorization.k8s.io", "", errors);
        }
        return answer(request, "SelfSubjectAccessReview", caller.username(), caller.groups(), spec);
    }

    private static List<String> attributeErrors(String kind, JsonNode spec) {
        List<String> errors = new ArrayList<>();
        boolean resource = spec.path("resourceAttributes").isObject();
        boolean nonResource = spec.path("nonResourceAttributes").isObject();
        if (resource && nonResource) {
            errors.add("spec.nonResourceAttributes: Invalid value: \"\": cannot be specified in combination with "
                    + "resourceAttributes");
        }
        if (!resource && !nonResource) {
            errors.add("spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or "
                    + "resourceAttributes must be specified");
        }
        return errors;
    }

    private ObjectNode answer(ObjectNode request, String kind, String user, List<String> groups, JsonNode spec) {
        RequestAttributes attributes;
        JsonNode resource = spec.path("resourceAttributes");
        if (resource.isObject()) {
            attributes = new RequestAttributes(user, groups, resource.path("verb").asText(""),
                    resource.path("group").asText(""), resource.path("resource").asText(""),
                    resource.path("subresource").asText(""), resource.path("namespace").asText(""),
                    resource.path("name").asText(""), "", true,
                    resource.path("fieldSelector").path("rawSelector").asText(""));
        } else {
            JsonNode nonResource = spec.path("nonResourceAttributes");
            attributes = RequestAttributes.ofPath(user, groups, nonResource.path("verb").asText(""),
                    nonResource.path("path").asText(""));
        }
        Authorizer.Decision decision = authorization.decide(attributes);
        ObjectNode response = request.deepCopy();
        response.put("apiVersion", "authorization.k8s.io/v1");
        response.put("kind", kind);
        if (!response.has("metadata")) {
            response.putObject("metadata");
        }
        ObjectNode status = response.putObject("status");
        status.put("allowed", decision.allowed());
        if (!decision.reason().isEmpty()) {
            status.put("reason", decision.reason());
        }
        return response;
    }
}
