package io.csrflow.emulator;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The discovery documents kubectl and clients read before they call anything: {@code /version},
 * {@code /api}, {@code /apis} and one resource list per group version, for the resources the
 * emulator serves. Unknown discovery paths are 404, never a dump of stored objects.
 */
final class Discovery {
    /** A resource of a group version; a subresource whose kind is of another group names it ({@code TokenRequest}). */
    private record Resource(String name, String kind, boolean namespaced, List<String> verbs, List<String> shortNames,
            String kindGroupVersion) {
        Resource(String name, String kind, boolean namespaced, List<String> verbs, List<String> shortNames) {
            this(name, kind, namespaced, verbs, shortNames, null);
        }
    }

    private static final List<String> CRUD = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    private static final List<String> SUBRESOURCE = List.of("get", "patch", "update");

    private static final Map<String, List<Resource>> GROUP_VERSIONS = Map.ofEntries(
            Map.entry("v1", List.of(
                    new Resource("nodes", "Node", false, CRUD, List.of("no")),
                    new Resource("nodes/status", "Node", false, SUBRESOURCE, List.of()),
                    new Resource("namespaces", "Namespace", false, CRUD, List.of("ns")),
                    new Resource("namespaces/status", "Namespace", false, SUBRESOURCE, List.of()),
                    new Resource("configmaps", "ConfigMap", true, CRUD, List.of("cm")),
                    new Resource("secrets", "Secret", true, CRUD, List.of()),
                    new Resource("events", "Event", true, CRUD, List.of("ev")),
                    new Resource("serviceaccounts", "ServiceAccount", true, CRUD, List.of("sa")),
                    new Resource("serviceaccounts/token", "TokenRequest", true, List.of("create"), List.of(),
                            "authentication.k8s.io/v1"),
                    new Resource("pods", "Pod", true, CRUD, List.of("po")),
                    new Resource("pods/status", "Pod", true, SUBRESOURCE, List.of()),
                    new Resource("services", "Service", true, CRUD, List.of("svc")),
                    new Resource("services/status", "Service", true, SUBRESOURCE, List.of()))),
            Map.entry("certificates.k8s.io/v1", List.of(
                    new Resource("certificatesigningrequests", "CertificateSigningRequest", false, CRUD,
                            List.of("csr")),
                    new Resource("certificatesigningrequests/approval", "CertificateSigningRequest", false,
                            SUBRESOURCE, List.of()),
                    new Resource("certificatesigningrequests/status", "CertificateSigningRequest", false,
                            SUBRESOURCE, List.of()))),
            Map.entry("certificates.k8s.io/v1beta1", List.of(
                    new Resource("clustertrustbundles", "ClusterTrustBundle", false, CRUD, List.of()),
                    new Resource("podcertificaterequests", "PodCertificateRequest", true, CRUD, List.of()),
                    new Resource("podcertificaterequests/status", "PodCertificateRequest", true, SUBRESOURCE,
                            List.of()))),
            Map.entry("discovery.k8s.io/v1", List.of(
                    new Resource("endpointslices", "EndpointSlice", true, CRUD, List.of()))),
            Map.entry("coordination.k8s.io/v1", List.of(
                    new Resource("leases", "Lease", true, CRUD, List.of()))),
            Map.entry("events.k8s.io/v1", List.of(
                    new Resource("events", "Event", true, CRUD, List.of("ev")))),
            Map.entry("authorization.k8s.io/v1", List.of(
                    new Resource("subjectaccessreviews", "SubjectAccessReview", false, List.of("create"), List.of()),
                    new Resource("selfsubjectaccessreviews", "SelfSubjectAccessReview", false, List.of("create"),
                            List.of()))),
            Map.entry("rbac.authorization.k8s.io/v1", List.of(
                    new Resource("clusterroles", "ClusterRole", false, CRUD, List.of()),
                    new Resource("clusterrolebindings", "ClusterRoleBinding", false, CRUD, List.of()),
                    new Resource("roles", "Role", true, CRUD, List.of()),
                    new Resource("rolebindings", "RoleBinding", true, CRUD, List.of()))),
            Map.entry("authentication.k8s.io/v1", List.of(
                    new Resource("tokenreviews", "TokenReview", false, List.of("create"), List.of()),
                    new Resource("selfsubjectreviews", "SelfSubjectReview", false, List.of("create"), List.of()))));

    private Discovery() {
    }

    /** A served resource (or subresource, {@code name} then holds a slash) of one group version. */
    record Served(String groupVersion, String name, String kind, boolean namespaced, List<String> verbs) {
    }

    /**
     * The group version and kind a request body on this resource path is ({@code authentication.k8s.io/v1
     * TokenRequest} for {@code serviceaccounts/token}), or null when the resource is not served.
     */
    static String[] bodyKind(String groupVersion, String resourceWithSubresource) {
        return GROUP_VERSIONS.getOrDefault(groupVersion, List.of()).stream()
                .filter(r -> r.name().equals(resourceWithSubresource))
                .map(r -> new String[] {r.kindGroupVersion() == null ? groupVersion : r.kindGroupVersion(), r.kind()})
                .findFirst().orElse(null);
    }

    /** Every served resource, for the OpenAPI documents. */
    static List<Served> served() {
        List<Served> all = new java.util.ArrayList<>();
        GROUP_VERSIONS.forEach((groupVersion, resources) -> resources.stream().filter(r -> r.kindGroupVersion() == null)
                .forEach(r -> all.add(new Served(groupVersion, r.name(), r.kind(), r.namespaced(), r.verbs()))));
        return all;
    }

    /** The kind of a served resource ({@code Node} for {@code v1 nodes}), or null. */
    static String kind(String groupVersion, String resource) {
        return GROUP_VERSIONS.getOrDefault(groupVersion, List.of()).stream().filter(r -> r.name().equals(resource))
                .map(Resource::kind).findFirst().orElse(null);
    }

    /** The document for a discovery path, or null if the path is not one. */
    static ObjectNode document(String path, String serverAddress) {
        String p = path.replaceAll("/+$", "");
        switch (p) {
            case "/version":
                return version();
            case "/api":
                return apiVersions(serverAddress);
            case "/apis":
                return groupList();
            default:
                break;
        }
        String groupVersion = p.startsWith("/api/") ? p.substring(5) : p.startsWith("/apis/") ? p.substring(6) : null;
        if (groupVersion == null) {
            return null;
        }
        if (GROUP_VERSIONS.containsKey(groupVersion)) {
            return resourceList(groupVersion);
        }
        String group = groupVersion.contains("/") ? null : groupVersion;
        return group == null ? null : group(group);
    }

    private static ObjectNode version() {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", "v1.32.0-csrflow-emulator");
        v.put("gitCommit", "0000000000000000000000000000000000000000");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-01-01T00:00:00Z");
        v.put("goVersion", "n/a");
        v.put("compiler", "n/a");
        v.put("platform", "linux/amd64");
        return v;
    }

    private static ObjectNode apiVersions(String serverAddress) {
        ObjectNode v = Json.MAPPER.createObjectNode();
        v.put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        ObjectNode cidr = v.putArray("serverAddressByClientCIDRs").addObject();
        cidr.put("clientCIDR", "0.0.0.0/0");
        cidr.put("serverAddress", serverAddress);
        return v;
    }

    private static ObjectNode groupList() {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        GROUP_VERSIONS.keySet().stream().filter(gv -> gv.contains("/")).map(gv -> gv.substring(0, gv.indexOf('/')))
                .distinct().sorted().forEach(g -> groups.add(group(g)));
        return list;
    }

    /** A group with its versions, GA first and preferred, as the API server orders them by priority. */
    private static ObjectNode group(String name) {
        List<String> versions = GROUP_VERSIONS.keySet().stream().filter(gv -> gv.startsWith(name + "/"))
                .map(gv -> gv.substring(name.length() + 1))
                .sorted(java.util.Comparator.comparing((String v) -> !v.equals("v1")).thenComparing(v -> v))
                .toList();
        if (versions.isEmpty()) {
            return null;
        }
        ObjectNode group = Json.MAPPER.createObjectNode();
        group.put("kind", "APIGroup");
        group.put("apiVersion", "v1");
        group.put("name", name);
        ArrayNode list = group.putArray("versions");
        for (String v : versions) {
            list.addObject().put("groupVersion", name + "/" + v).put("version", v);
        }
        group.set("preferredVersion", list.get(0).deepCopy());
        return group;
    }

    private static ObjectNode resourceList(String groupVersion) {
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", groupVersion);
        ArrayNode resources = list.putArray("resources");
        for (Resource r : GROUP_VERSIONS.get(groupVersion)) {
            ObjectNode node = resources.addObject();
            node.put("name", r.name());
            node.put("singularName", r.name().contains("/") ? "" : r.kind().toLowerCase(java.util.Locale.ROOT));
            node.put("namespaced", r.namespaced());
            if (r.kindGroupVersion() != null) {
                String kindGroupVersion = r.kindGroupVersion();
                node.put("group", kindGroupVersion.contains("/")
                        ? kindGroupVersion.substring(0, kindGroupVersion.indexOf('/')) : "");
                node.put("version", kindGroupVersion.substring(kindGroupVersion.indexOf('/') + 1));
            }
            node.put("kind", r.kind());
            ArrayNode verbs = node.putArray("verbs");
            r.verbs().forEach(verbs::add);
            if (!r.shortNames().isEmpty()) {
                ArrayNode shortNames = node.putArray("shortNames");
                r.shortNames().forEach(shortNames::add);
            }
        }
        return list;
    }
}
