package io.csrflow.emulator;

import java.util.List;
import java.util.Locale;

/**
 * What a request asks to do, as kube-apiserver's authorizers see it ({@code authorizer.Attributes}):
 * a resource request (verb, API group, resource, subresource, namespace, name, and the field selector
 * of a list or watch, which the API server hands to authorizers since AuthorizeWithSelectors) or a
 * non-resource request (verb and path). Empty strings, never null, for what a request does not name.
 */
record RequestAttributes(String user, List<String> groups, String verb, String apiGroup, String resource,
        String subresource, String namespace, String name, String path, boolean resourceRequest,
        String fieldSelector) {

    RequestAttributes {
        groups = groups == null ? List.of() : List.copyOf(groups);
        apiGroup = apiGroup == null ? "" : apiGroup;
        resource = resource == null ? "" : resource;
        subresource = subresource == null ? "" : subresource;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
        path = path == null ? "" : path;
        fieldSelector = fieldSelector == null ? "" : fieldSelector;
    }

    /** Attributes without a field selector. */
    RequestAttributes(String user, List<String> groups, String verb, String apiGroup, String resource,
            String subresource, String namespace, String name, String path, boolean resourceRequest) {
        this(user, groups, verb, apiGroup, resource, subresource, namespace, name, path, resourceRequest, "");
    }

    /**
     * The value an equality term of the field selector requires {@code field} to have
     * ({@code fields.Selector.Requirements()}: {@code =} and {@code ==} alike), or null.
     */
    String fieldRequires(String field) {
        return FieldSelector.requiredValue(fieldSelector, field);
    }

    /** A resource request; {@code resource} may be {@code resource/subresource}. */
    static RequestAttributes ofResource(String user, List<String> groups, String verb, String apiGroup,
            String resource, String namespace, String name) {
        int slash = resource.indexOf('/');
        return new RequestAttributes(user, groups, verb, apiGroup, slash < 0 ? resource : resource.substring(0, slash),
                slash < 0 ? "" : resource.substring(slash + 1), namespace, name, "", true);
    }

    static RequestAttributes ofPath(String user, List<String> groups, String verb, String path) {
        return new RequestAttributes(user, groups, verb, "", "", "", "", "", path, false);
    }

    /**
     * The attributes of an HTTP request, as the API server's request info derives them: verbs from
     * the method (list, watch, deletecollection for collections), the name of a list or watch from a
     * {@code metadata.name} field selector, a namespace's own name as its namespace; anything that
     * is not {@code /api/v1/...} or {@code /apis/g/v/...} with a resource is a non-resource path.
     */
    static RequestAttributes of(EmulatorConfig.User caller, String method, String plainPath, ApiPath path) {
        if (path == null || path.resource() == null) {
            return ofPath(caller.username(), caller.groups(), method.toLowerCase(Locale.ROOT), plainPath);
        }
        String verb = path.verb(method);
        String name = path.name();
        String fieldSelector = "";
        if (name == null && List.of("list", "watch", "deletecollection").contains(verb)) {
            fieldSelector = fieldSelectorOf(path.query());
            name = FieldSelector.requiredValue(fieldSelector, "metadata.name");
        }
        String namespace = path.namespace();
        if (namespace == null && path.group().isEmpty() && path.resource().equals("namespaces")) {
            namespace = path.name();
        }
        return new RequestAttributes(caller.username(), caller.groups(), verb, path.group(), path.resource(),
                path.subresource(), namespace, name, "", true, fieldSelector);
    }

    private static String fieldSelectorOf(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("fieldSelector=")) {
                return java.net.URLDecoder.decode(parameter.substring("fieldSelector=".length()),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    String resourceWithSubresource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }
}
