package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Pods as the API server's pod strategy, validation and ServiceAccount admission treat what matters
 * to the workload flow: at least one container, each with a DNS-label name (no duplicates) and an
 * image; {@code serviceAccountName} defaulted to {@code default} and refused (403, the admission
 * plugin's words) when that ServiceAccount does not exist; {@code hostname} and {@code subdomain}
 * DNS labels; the status a create brings replaced by {@code Pending}. The status (phase, pod IPs,
 * host IPs) is written only through {@code /status}, where IPs must be valid and not repeated, and
 * {@code podIP} is {@code podIPs[0]} (a {@code podIP} that differs wins, as the v1 conversion has it).
 * An update of the object may change container images and little else.
 */
final class PodRules implements ObjectRules {
    private static final String KIND = "Pod";
    static final String SPEC_UPDATE_FORBIDDEN = "pod updates may not change fields other than "
            + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
            + "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
            + "(allow it to be set to 1 if it was previously negative)";

    private final ObjectStore store;

    PodRules(ObjectStore store) {
        this.store = store;
    }

    @Override
    public void create(ObjectNode pod, String namespace) {
        ObjectNode spec = Json.object(pod, "spec");
        defaults(spec);
        List<FieldError> errors = new ArrayList<>(ObjectMetaRules.labelsAndAnnotations(pod.path("metadata")));
        errors.addAll(validateSpec(spec));
        String name = pod.path("metadata").path("name").asText("");
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
        String account = spec.path("serviceAccountName").asText();
        if (store.get(StoredResource.of("", "serviceaccounts"), namespace, account) == null) {
            throw Authorization.forbidden("pods", "", name, "error looking up service account " + namespace + "/"
                    + account + ": serviceaccount " + FieldError.quote(account) + " not found");
        }
        ObjectNode status = pod.putObject("status");
        status.put("phase", "Pending");
        status.put("qosClass", qosClass(spec));
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
        String name = stored.path("metadata").path("name").asText();
        if (part == ObjectStore.Part.STATUS) {
            ObjectNode status = Json.object(updated, "status");
            List<FieldError> errors = new ArrayList<>(normalizeIps(status, "podIP", "podIPs"));
            errors.addAll(normalizeIps(status, "hostIP", "hostIPs"));
            if (!errors.isEmpty()) {
                throw ApiException.invalidFields(KIND, name, errors);
            }
            return;
        }
        ObjectNode spec = Json.object(updated, "spec");
        defaults(spec);
        List<FieldError> errors = new ArrayList<>(validateSpec(spec));
        if (errors.isEmpty() && !withoutMutableFields(spec).equals(withoutMutableFields(stored.path("spec")))) {
            errors.add(FieldError.forbidden("spec", SPEC_UPDATE_FORBIDDEN));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, name, errors);
        }
    }

    /** The ServiceAccount admission plugin's and the defaulting functions' values that matter here. */
    private static void defaults(ObjectNode spec) {
        if (spec.path("serviceAccountName").asText("").isEmpty()) {
            spec.put("serviceAccountName", spec.path("serviceAccount").asText("").isEmpty()
                    ? DefaultServiceAccounts.NAME : spec.path("serviceAccount").asText());
        }
        spec.put("serviceAccount", spec.path("serviceAccountName").asText());
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        for (JsonNode container : spec.path("containers")) {
            if (container instanceof ObjectNode c) {
                putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
                putIfAbsent(c, "terminationMessagePolicy", "File");
                String image = c.path("image").asText("");
                String tag = image.contains("@") ? "digest" : image.lastIndexOf(':') > image.lastIndexOf('/')
                        ? image.substring(image.lastIndexOf(':') + 1) : "latest";
                putIfAbsent(c, "imagePullPolicy", tag.equals("latest") ? "Always" : "IfNotPresent");
            }
        }
    }

    private static List<FieldError> validateSpec(JsonNode spec) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode containers = spec.path("containers");
        if (!containers.isArray() || containers.isEmpty()) {
            errors.add(FieldError.required("spec.containers", ""));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            JsonNode container = containers.get(i);
            String field = "spec.containers[" + i + "]";
            FieldError nameProblem = NetworkFields.entryNameProblem(field, container.path("name").asText(""), names,
                    true);
            if (nameProblem != null) {
                errors.add(nameProblem);
            }
            if (container.path("image").asText("").isBlank()) {
                errors.add(FieldError.required(field + ".image", ""));
            }
        }
        for (String field : List.of("hostname", "subdomain")) {
            String value = spec.path(field).asText("");
            if (!value.isEmpty() && !NetworkFields.isDnsLabel(value)) {
                errors.add(FieldError.invalid("spec." + field, FieldError.quote(value), NetworkFields.dnsLabelError()));
            }
        }
        return errors;
    }

    /**
     * The v1 conversion of {@code podIP}/{@code podIPs} (or the host's), then the validation of the
     * list: {@code podIP} wins when the two disagree, a lone {@code podIP} becomes the list.
     */
    private static List<FieldError> normalizeIps(ObjectNode status, String single, String plural) {
        String ip = status.path(single).asText("");
        JsonNode list = status.path(plural);
        if (!ip.isEmpty() && (!list.isArray() || list.isEmpty() || !ip.equals(list.get(0).path("ip").asText()))) {
            ArrayNode replaced = status.putArray(plural);
            replaced.addObject().put("ip", ip);
            list = replaced;
        }
        List<FieldError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean ipv4 = false;
        boolean ipv6 = false;
        int count = 0;
        for (int i = 0; i < list.size(); i++) {
            String value = list.get(i).path("ip").asText("");
            String field = "status." + plural + "[" + i + "]";
            if (!IpAddresses.isIp(value)) {
                errors.add(FieldError.invalid(field, FieldError.quote(value), IpAddresses.INVALID_IP));
                continue;
            }
            count++;
            ipv4 |= IpAddresses.isIpv4(value);
            ipv6 |= IpAddresses.isIpv6(value);
            if (!seen.add(value)) {
                errors.add(FieldError.duplicate(field, "core.PodIP{IP:" + FieldError.quote(value) + "}"));
            }
        }
        if (count > 1 && (!(ipv4 && ipv6) || count > 2)) {
            errors.add(FieldError.invalid("status." + plural, list.toString(),
                    "may specify no more than one IP for each IP family"));
        }
        if (list.isArray() && !list.isEmpty()) {
            status.put(single, list.get(0).path("ip").asText(""));
        }
        return errors;
    }

    /** The spec with what an update may change taken out: container images and the two mutable scalars. */
    private static JsonNode withoutMutableFields(JsonNode spec) {
        ObjectNode copy = spec.deepCopy();
        for (String list : List.of("containers", "initContainers")) {
            copy.path(list).forEach(c -> {
                if (c instanceof ObjectNode o) {
                    o.remove("image");
                    o.remove("imagePullPolicy");
                }
            });
        }
        copy.remove("activeDeadlineSeconds");
        copy.remove("terminationGracePeriodSeconds");
        copy.remove("tolerations");
        return copy;
    }

    private static String qosClass(JsonNode spec) {
        for (JsonNode container : spec.path("containers")) {
            if (!container.path("resources").path("requests").isEmpty()
                    || !container.path("resources").path("limits").isEmpty()) {
                return "Burstable";
            }
        }
        return "BestEffort";
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (node.path(field).asText("").isEmpty()) {
            node.put(field, value);
        }
    }
}
