package io.csrflow.emulator;

/**
 * A request path split the way the API server routes it:
 * {@code /api/v1} or {@code /apis/GROUP/VERSION}, optional {@code namespaces/NS}, then resource,
 * name and subresource. {@code resource == null} means a discovery path. Segments are
 * percent-decoded, as Go's server decodes the path before the API server routes it, and
 * {@code namespaces/NAME/status} (or {@code /finalize}) is the Namespace's subresource, not a
 * resource in that namespace.
 */
record ApiPath(String group, String version, String namespace, String resource, String name, String subresource,
               String query) {

    static ApiPath parse(String rawPath) {
        int q = rawPath.indexOf('?');
        String path = q < 0 ? rawPath : rawPath.substring(0, q);
        String query = q < 0 ? "" : rawPath.substring(q + 1);
        String[] parts = path.replaceAll("^/+|/+$", "").split("/");
        for (int p = 0; p < parts.length; p++) {
            parts[p] = decode(parts[p]);
        }
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
        if (parts.length > i + 2 && parts[i].equals("namespaces")
                && !(parts.length == i + 3 && (parts[i + 2].equals("status") || parts[i + 2].equals("finalize")))) {
            namespace = parts[i + 1];
            i += 2;
        }
        String resource = parts.length > i ? parts[i] : null;
        String name = parts.length > i + 1 ? parts[i + 1] : null;
        String subresource = parts.length > i + 2 ? parts[i + 2] : null;
        return new ApiPath(group, version, namespace, resource, name, subresource, query);
    }

    /** %XX escapes as UTF-8 bytes; a {@code +} stays a plus, as in any URL path. */
    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length() && Character.digit(segment.charAt(i + 1), 16) >= 0
                    && Character.digit(segment.charAt(i + 2), 16) >= 0) {
                bytes.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    boolean is(String group, String resource) {
        return this.group.equals(group) && resource.equals(this.resource);
    }

    /** {@code ?watch=true} or {@code ?watch=1}, as the API server reads the parameter. */
    boolean isWatch() {
        return ListOptions.parameters(query).getOrDefault("watch", "").matches("true|1");
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

    /** The collection this path's object belongs to, as a create addresses it. */
    ApiPath collection() {
        return new ApiPath(group, version, namespace, resource, null, null, query);
    }
}
