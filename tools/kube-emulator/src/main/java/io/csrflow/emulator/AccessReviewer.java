package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Answers {@code authorization.k8s.io/v1} SubjectAccessReviews from the configured rules, the way
 * the API server's RBAC authorizer answers them for CSR approvers.
 */
final class AccessReviewer {
    private final List<EmulatorConfig.AccessRule> rules;

    AccessReviewer(List<EmulatorConfig.AccessRule> rules) {
        this.rules = List.copyOf(rules);
    }

    ObjectNode review(ObjectNode request) {
        JsonNode spec = request.path("spec");
        String user = Json.text(spec, "user");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        JsonNode attributes = spec.get("resourceAttributes");
        if ((user == null || user.isEmpty()) && groups.isEmpty()) {
            throw new ApiException(422, "Invalid",
                    "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": "
                            + "at least one of user or group must be specified");
        }
        if (attributes == null) {
            throw new ApiException(422, "Invalid",
                    "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Required "
                            + "value: the emulator answers resource attribute reviews only");
        }
        String verb = Json.text(attributes, "verb");
        String group = attributes.path("group").asText("");
        String resource = attributes.path("resource").asText("");
        String subresource = attributes.path("subresource").asText("");
        String target = subresource.isEmpty() ? resource : resource + "/" + subresource;

        ObjectNode response = request.deepCopy();
        response.put("apiVersion", "authorization.k8s.io/v1");
        response.put("kind", "SubjectAccessReview");
        ObjectNode status = response.putObject("status");
        for (EmulatorConfig.AccessRule rule : rules) {
            if (appliesTo(rule, user, groups) && matches(rule.verbs(), verb) && matches(rule.apiGroups(), group)
                    && matches(rule.resources(), target)) {
                status.put("allowed", true);
                status.put("reason", "RBAC: allowed by rule \"" + rule.name() + "\"");
                return response;
            }
        }
        status.put("allowed", false);
        status.put("reason", "no rule allows " + verb + " on " + target + " in API group \"" + group + "\"");
        return response;
    }

    private static boolean appliesTo(EmulatorConfig.AccessRule rule, String user, List<String> groups) {
        return (user != null && rule.users().contains(user)) || rule.groups().stream().anyMatch(groups::contains);
    }

    private static boolean matches(List<String> allowed, String value) {
        return value != null && (allowed.contains("*") || allowed.contains(value));
    }
}
