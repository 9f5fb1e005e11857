package io.csrflow.emulator;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The API server's name rule for kinds whose names must be DNS subdomains (Events, ConfigMaps,
 * Secrets, Nodes, Leases): lower-case RFC 1123, at most 253 characters, checked at create with the
 * API server's wording. CSR names are not among them: the API server accepts any path segment.
 */
final class ObjectNames {
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Map<String, String> KINDS = Map.of("events", "Event", "configmaps", "ConfigMap",
            "secrets", "Secret", "nodes", "Node", "leases", "Lease");

    private ObjectNames() {
    }

    static void checkCreate(ApiPath path, ObjectNode body) {
        String kind = KINDS.get(path.resource());
        String name = Json.text(body.path("metadata"), "name");
        if (kind == null || name == null || name.isEmpty()) {
            return;
        }
        if (name.length() > 253) {
            throw ApiException.invalid(kind, name, List.of("metadata.name: Invalid value: \"" + name
                    + "\": must be no more than 253 characters"));
        }
        if (!DNS_SUBDOMAIN.matcher(name).matches()) {
            throw ApiException.invalid(kind, name, List.of("metadata.name: Invalid value: \"" + name
                    + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                    + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                    + "validation is '" + DNS_SUBDOMAIN.pattern() + "')"));
        }
    }
}
