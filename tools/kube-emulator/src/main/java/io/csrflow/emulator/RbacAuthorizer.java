package io.csrflow.emulator;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kube's RBAC authorizer: ClusterRoleBindings first, then the RoleBindings of the request's
 * namespace; a binding applies when one of its subjects is the user (User by name, Group by
 * membership, ServiceAccount as {@code system:serviceaccount:<ns>:<name>}, its namespace defaulting
 * to the binding's); its role's rules allow when verb, API group, resource (or
 * {@code resource/subresource}, or {@code *}/{@code *}/subresource), resource name and non-resource
 * URL match. Rules only allow: no match is no opinion. A binding whose role is missing explains a
 * denial, as the API server's reason does.
 */
final class RbacAuthorizer implements Authorizer {
    private final RbacObjects objects;

    RbacAuthorizer(RbacObjects objects) {
        this.objects = objects;
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        Set<String> errors = new LinkedHashSet<>();
        for (JsonNode binding : objects.clusterRoleBindings()) {
            Decision decision = visit(request, binding, "", errors);
            if (decision != null) {
                return decision;
            }
        }
        if (!request.namespace().isEmpty()) {
            for (JsonNode binding : objects.roleBindings(request.namespace())) {
                Decision decision = visit(request, binding, request.namespace(), errors);
                if (decision != null) {
                    return decision;
                }
            }
        }
        if (errors.isEmpty()) {
            return Decision.NO_OPINION;
        }
        // Go's aggregate error: one message as it is, several in brackets.
        return Decision.noOpinion("RBAC: " + (errors.size() == 1 ? errors.iterator().next()
                : "[" + String.join(", ", errors) + "]"));
    }

    /** The decision if this binding applies and one of its role's rules allows, else null. */
    private Decision visit(RequestAttributes request, JsonNode binding, String namespace, Set<String> errors) {
        JsonNode subject = subjectFor(request, binding.path("subjects"), namespace);
        if (subject == null) {
            return null;
        }
        JsonNode roleRef = binding.path("roleRef");
        String roleKind = roleRef.path("kind").asText();
        String roleName = roleRef.path("name").asText();
        Optional<JsonNode> role;
        switch (roleKind) {
            case "ClusterRole" -> role = objects.clusterRole(roleName);
            case "Role" -> role = namespace.isEmpty() ? Optional.empty() : objects.role(namespace, roleName);
            default -> {
                errors.add("unsupported role reference kind: \"" + roleKind + "\"");
                return null;
            }
        }
        if (role.isEmpty()) {
            errors.add(roleKind.toLowerCase(java.util.Locale.ROOT) + "." + RbacManifests.GROUP + " \"" + roleName
                    + "\" not found");
            return null;
        }
        for (JsonNode rule : role.get().path("rules")) {
            if (allows(request, rule)) {
                String bindingName = binding.path("metadata").path("name").asText()
                        + (namespace.isEmpty() ? "" : "/" + namespace);
                return Decision.allow("RBAC: allowed by " + binding.path("kind").asText() + " \"" + bindingName
                        + "\" of " + roleKind + " \"" + roleName + "\" to " + describe(subject, namespace));
            }
        }
        return null;
    }

    private static JsonNode subjectFor(RequestAttributes request, JsonNode subjects, String namespace) {
        for (JsonNode subject : subjects) {
            String name = subject.path("name").asText();
            boolean applies = switch (subject.path("kind").asText()) {
                case "User" -> request.user().equals(name);
                case "Group" -> request.groups().contains(name);
                case "ServiceAccount" -> {
                    String saNamespace = subject.path("namespace").asText("");
                    saNamespace = saNamespace.isEmpty() ? namespace : saNamespace;
                    yield !saNamespace.isEmpty()
                            && request.user().equals("system:serviceaccount:" + saNamespace + ":" + name);
                }
                default -> false;
            };
            if (applies) {
                return subject;
            }
        }
        return null;
    }

    private static String describe(JsonNode subject, String bindingNamespace) {
        String kind = subject.path("kind").asText();
        String name = subject.path("name").asText();
        if (kind.equals("ServiceAccount")) {
            String namespace = subject.path("namespace").asText("");
            return kind + " \"" + name + "/" + (namespace.isEmpty() ? bindingNamespace : namespace) + "\"";
        }
        return kind + " \"" + name + "\"";
    }

    /** Whether one PolicyRule allows the request, by kube's rule matching. */
    static boolean allows(RequestAttributes request, JsonNode rule) {
        if (!contains(rule.path("verbs"), request.verb(), "*")) {
            return false;
        }
        if (!request.resourceRequest()) {
            return urlMatches(rule.path("nonResourceURLs"), request.path());
        }
        return contains(rule.path("apiGroups"), request.apiGroup(), "*")
                && resourceMatches(rule.path("resources"), request.resourceWithSubresource(), request.subresource())
                && nameMatches(rule.path("resourceNames"), request.name());
    }

    private static boolean contains(JsonNode values, String value, String wildcard) {
        for (JsonNode v : values) {
            if (v.asText().equals(wildcard) || v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean resourceMatches(JsonNode resources, String combined, String subresource) {
        for (JsonNode r : resources) {
            String resource = r.asText();
            if (resource.equals("*") || resource.equals(combined)
                    || !subresource.isEmpty() && resource.equals("*/" + subresource)) {
                return true;
            }
        }
        return false;
    }

    private static boolean nameMatches(JsonNode names, String name) {
        if (names.isEmpty()) {
            return true;
        }
        for (JsonNode n : names) {
            if (n.asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean urlMatches(JsonNode urls, String path) {
        for (JsonNode u : urls) {
            String url = u.asText();
            if (url.equals("*") || url.equals(path)
                    || url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) {
                return true;
            }
        }
        return false;
    }
}
