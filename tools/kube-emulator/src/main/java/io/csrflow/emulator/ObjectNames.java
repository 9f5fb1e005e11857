package io.csrflow.emulator;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The API server's name rule for kinds whose names must be DNS subdomains (Events, ConfigMaps,
 * Secrets, Nodes, Leases, ServiceAccounts, Pods, EndpointSlices): lower-case RFC 1123, at most 253
 * characters; and for Services, whose names become DNS labels: RFC 1035 labels of at most 63
 * characters. Checked at create with the API server's wording. CSR names are not among them: the API
 * server accepts any path segment.
 */
final class ObjectNames {
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final java.util.Set<String> SUBDOMAIN_NAMED = java.util.Set.of("events", "configmaps", "secrets",
            "nodes", "leases", "serviceaccounts", "pods", "endpointslices");
    private static final String DNS_SUBDOMAIN_ERROR = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '" + DNS_SUBDOMAIN.pattern() + "')";
    static final String DNS_1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS_LABEL = Pattern.compile(DNS_1035_LABEL);

    private ObjectNames() {
    }

    /** {@code IsDNS1123Subdomain} (what {@code NameIsDNSSubdomain} and its aliases check): its messages. */
    static List<String> dnsSubdomainProblems(String value) {
        List<String> problems = new java.util.ArrayList<>();
        if (value.length() > 253) {
            problems.add("must be no more than 253 characters");
        }
        if (!DNS_SUBDOMAIN.matcher(value).matches()) {
            problems.add(DNS_SUBDOMAIN_ERROR);
        }
        return problems;
    }

    static void checkCreate(ApiPath path, ObjectNode body) {
        String name = Json.text(body.path("metadata"), "name");
        if (name == null || name.isEmpty()) {
            return;
        }
        String kind = ApiException.qualifiedKind(path);
        if (path.is("", "services")) {
            checkDns1035Label(kind, name);
            return;
        }
        if (!SUBDOMAIN_NAMED.contains(path.resource())) {
            return;
        }
        if (name.length() > 253) {
            throw ApiException.invalid(kind, name, List.of("metadata.name: Invalid value: \"" + name
                    + "\": must be no more than 253 characters"));
        }
        if (!DNS_SUBDOMAIN.matcher(name).matches()) {
            throw ApiException.invalid(kind, name, List.of("metadata.name: Invalid value: \"" + name + "\": "
                    + DNS_SUBDOMAIN_ERROR));
        }
    }

    /** {@code NameIsDNS1035Label}, the rule for Service names. */
    static void checkDns1035Label(String kind, String name) {
        List<String> errors = new java.util.ArrayList<>();
        if (name.length() > 63) {
            errors.add("metadata.name: Invalid value: \"" + name + "\": must be no more than 63 characters");
        }
        if (!DNS_LABEL.matcher(name).matches()) {
            errors.add("metadata.name: Invalid value: \"" + name + "\": a DNS-1035 label must consist of lower case "
                    + "alphanumeric characters or '-', start with an alphabetic character, and end with an "
                    + "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '"
                    + DNS_1035_LABEL + "')");
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(kind, name, errors);
        }
    }
}
