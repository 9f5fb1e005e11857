package io.csrflow.emulator;

/**
 * A request path split the way the API server routes it:
 * {@code /api/v1} or {@code /apis/GROUP/VERSION}, optional {@code namespaces/NS}, then resource,
 * name and subresource. {@code resource == null} means a discovery path.
 */
record ApiPath(String group, String version, String namespace, String resource, String name, String subresource,
               String query) {

    static ApiPath parse(String rawPath) {
        int q = rawPath.indexOf('?');
        String path = q < 0 ? rawPath : rawPath.substring(0, q);
        String query = q < 0 ? "" : rawPath.substring(q + 1);
        String[] parts = path.replaceAll("^/+|/+$", "").split("/");
        int i;
        String group;
        String version;
        if (parts.length >= 2 && parts[0].equals("api")) {
            group = "";
            version = parts[1];
            i = 2;
        } else if (parts.length >= 3 && parts[0].equals("apis")) {
            group = parts[1];
            version = parts[2];
            i = 3;
        } else {
            return null;
        }
        String namespace = null;
        if (parts.length > i + 2 && parts[i].equals("namespaces")) {
            namespace = parts[i + 1];
            i += 2;
        }
        String resource = parts.length > i ? parts[i] : null;
        String name = parts.length > i + 1 ? parts[i + 1] : null;
        String subresource = parts.length > i + 2 ? parts[i + 2] : null;
        return new ApiPath(group, version, namespace, resource, name, subresource, query);
    }

    boolean is(String group, String resource) {
        return this.group.equals(group) && resource.equals(this.resource);
    }

    boolean isWatch() {
        return query.contains("watch=true") || query.contains("watch=1");
    }

    /** The path of the object itself, without subresource or query. */
    String objectPath() {
        StringBuilder b = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
        if (namespace != null) {
            b.append("/namespaces/").append(namespace);
        }
        b.append('/').append(resource);
        if (name != null) {
            b.append('/').append(name);
        }
        return b.toString();
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC and the request counter name it. */
    String resourceWithSubresource() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    /** The Kubernetes API verb of a request with this method on this path. */
    String verb(String method) {
        return switch (method) {
            case "GET" -> isWatch() ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }
}
