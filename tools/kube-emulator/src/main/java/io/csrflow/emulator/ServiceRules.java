package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Services as the API server's service REST and validation treat them: type {@code ClusterIP} by
 * default; a cluster IP allocated from the {@link ServiceCidr} unless one is given, which must be in
 * the range and free (the allocator's 422), or {@code None} for a headless Service; the IP kept
 * across updates that leave it out and immutable otherwise; ports numbered 1–65535, named when
 * there are several, protocol TCP and target port the port by default. Addresses are in use while a
 * Service holds them, so deleting the Service (or its Namespace) frees them.
 */
final class ServiceRules implements ObjectRules {
    private static final String KIND = "Service";
    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final String HEADLESS = "None";

    private final ObjectStore store;
    private final ServiceCidr cidr;

    ServiceRules(ObjectStore store, ServiceCidr cidr) {
        this.store = store;
        this.cidr = cidr;
    }

    /** The {@code default/kubernetes} Service the API server keeps for itself, on the range's first address. */
    static void createKubernetesService(ObjectStore store, ServiceCidr cidr) {
        ObjectNode service = Json.MAPPER.createObjectNode();
        ObjectNode metadata = service.putObject("metadata").put("name", "kubernetes").put("namespace", "default");
        metadata.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = service.putObject("spec");
        spec.put("type", "ClusterIP").put("clusterIP", cidr.first()).put("sessionAffinity", "None");
        spec.putArray("clusterIPs").add(cidr.first());
        spec.putArray("ipFamilies").add(cidr.first().contains(":") ? "IPv6" : "IPv4");
        spec.put("ipFamilyPolicy", "SingleStack").put("internalTrafficPolicy", "Cluster");
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP")
                .put("targetPort", 6443);
        service.putObject("status").putObject("loadBalancer");
        store.create(StoredResource.of("", "services"), "default", service);
    }

    @Override
    public void create(ObjectNode service, String namespace) {
        ObjectNode spec = Json.object(service, "spec");
        String name = service.path("metadata").path("name").asText("");
        defaults(spec);
        List<FieldError> errors = new ArrayList<>(ObjectMetaRules.labelsAndAnnotations(service.path("metadata")));
        errors.addAll(validateSpec(spec));
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
        if (!spec.path("type").asText().equals("ExternalName")) {
            allocate(spec, name);
        }
        service.putObject("status").putObject("loadBalancer");
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
        if (part == ObjectStore.Part.STATUS) {
            return;
        }
        String name = stored.path("metadata").path("name").asText();
        ObjectNode spec = Json.object(updated, "spec");
        JsonNode old = stored.path("spec");
        String oldIp = old.path("clusterIP").asText("");
        // An update that leaves the allocated address out keeps it, as the service REST patches it in.
        if (spec.path("clusterIP").asText("").isEmpty() && !oldIp.isEmpty()) {
            spec.put("clusterIP", oldIp);
            if (spec.path("clusterIPs").isEmpty()) {
                spec.set("clusterIPs", old.path("clusterIPs").deepCopy());
            }
        }
        defaults(spec);
        List<FieldError> errors = new ArrayList<>(validateSpec(spec));
        String newIp = spec.path("clusterIP").asText("");
        if (!oldIp.isEmpty() && !old.path("type").asText().equals("ExternalName")
                && !spec.path("type").asText().equals("ExternalName") && !newIp.equals(oldIp)) {
            errors.add(FieldError.invalid("spec.clusterIP", FieldError.quote(newIp), "field is immutable"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
    }

    private static void defaults(ObjectNode spec) {
        if (spec.path("type").asText("").isEmpty()) {
            spec.put("type", "ClusterIP");
        }
        if (spec.path("sessionAffinity").asText("").isEmpty()) {
            spec.put("sessionAffinity", "None");
        }
        if (!spec.path("type").asText().equals("ExternalName")
                && spec.path("internalTrafficPolicy").asText("").isEmpty()) {
            spec.put("internalTrafficPolicy", "Cluster");
        }
        String ip = spec.path("clusterIP").asText("");
        JsonNode ips = spec.path("clusterIPs");
        if (ip.isEmpty() && ips.isArray() && !ips.isEmpty()) {
            spec.put("clusterIP", ips.get(0).asText(""));
        }
        for (JsonNode port : spec.path("ports")) {
            if (port instanceof ObjectNode p) {
                if (p.path("protocol").asText("").isEmpty()) {
                    p.put("protocol", "TCP");
                }
                JsonNode target = p.path("targetPort");
                if (target.isMissingNode() || target.isNull() || target.asText("").equals("0")
                        || target.isTextual() && target.asText().isEmpty()) {
                    p.set("targetPort", p.path("port").deepCopy());
                }
            }
        }
    }

    private static List<FieldError> validateSpec(JsonNode spec) {
        List<FieldError> errors = new ArrayList<>();
        String type = spec.path("type").asText();
        if (!TYPES.contains(type)) {
            errors.add(FieldError.notSupported("spec.type", FieldError.quote(type), TYPES));
        }
        String ip = spec.path("clusterIP").asText("");
        JsonNode ips = spec.path("clusterIPs");
        if (type.equals("ExternalName")) {
            if (spec.path("externalName").asText("").isEmpty()) {
                errors.add(FieldError.required("spec.externalName", ""));
            }
            if (!ip.isEmpty()) {
                errors.add(FieldError.forbidden("spec.clusterIP", "may not be set for ExternalName services"));
            }
        } else if (!ip.isEmpty() && !ip.equals(HEADLESS) && !IpAddresses.isIp(ip)) {
            errors.add(FieldError.invalid("spec.clusterIPs[0]", FieldError.quote(ip), IpAddresses.INVALID_IP));
        }
        if (ips.isArray() && !ips.isEmpty() && !ip.isEmpty() && !ips.get(0).asText("").equals(ip)) {
            errors.add(FieldError.invalid("spec.clusterIPs", goStrings(ips), "first value must match `clusterIP`"));
        }
        JsonNode ports = spec.path("ports");
        boolean needsPorts = !type.equals("ExternalName") && !ip.equals(HEADLESS);
        if (needsPorts && (!ports.isArray() || ports.isEmpty())) {
            errors.add(FieldError.required("spec.ports", ""));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            String field = "spec.ports[" + i + "]";
            FieldError nameProblem = NetworkFields.entryNameProblem(field, port.path("name").asText(""), names,
                    ports.size() > 1);
            if (nameProblem != null) {
                errors.add(nameProblem);
            }
            errors.addAll(NetworkFields.portProblems(field, port, true));
        }
        return errors;
    }

    /** A cluster IP for the Service: the one it asks for if in range and free, else a free one. */
    private void allocate(ObjectNode spec, String name) {
        String requested = spec.path("clusterIP").asText("");
        if (requested.equals(HEADLESS)) {
            spec.putArray("clusterIPs").add(HEADLESS);
            return;
        }
        Set<String> taken = takenAddresses();
        String ip;
        if (requested.isEmpty()) {
            ip = cidr.allocate(taken);
            if (ip == null) {
                throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: "
                        + "range is full");
            }
        } else {
            byte[] address = IpAddresses.parse(requested);
            String canonical = IpAddresses.format(address);
            String problem = !cidr.contains(address) ? "the provided IP (" + canonical + ") is not in the valid range. "
                    + "The range of valid IPs is " + cidr : taken.contains(canonical)
                    ? "provided IP is already allocated" : null;
            if (problem != null) {
                throw ApiException.invalidFields(KIND, name, List.of(FieldError.invalid("spec.clusterIPs",
                        "[]string{" + FieldError.quote(requested) + "}", "failed to allocate IP " + requested + ": "
                                + problem)));
            }
            ip = canonical;
        }
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
        ArrayNode families = spec.putArray("ipFamilies");
        families.add(ip.contains(":") ? "IPv6" : "IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
    }

    /** Every cluster IP a stored Service holds; callers hold the write lock. */
    private Set<String> takenAddresses() {
        Set<String> taken = new HashSet<>();
        for (ObjectNode service : store.objects("", "services")) {
            service.path("spec").path("clusterIPs").forEach(ip -> {
                byte[] address = IpAddresses.parse(ip.asText());
                if (address != null) {
                    taken.add(IpAddresses.format(address));
                }
            });
        }
        return taken;
    }

    /** A {@code []string} as Go's {@code %#v} prints it in field errors. */
    private static String goStrings(JsonNode values) {
        List<String> quoted = new ArrayList<>();
        values.forEach(v -> quoted.add(FieldError.quote(v.asText())));
        return "[]string{" + String.join(", ", quoted) + "}";
    }
}
