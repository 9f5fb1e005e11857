package io.csrflow.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-side printing as a {@code meta.k8s.io/v1} Table ({@code Accept: ...;as=Table}, which every
 * {@code kubectl get} sends), with the columns and cells kube-apiserver's printers give the kinds
 * csrflow touches. Every column is filled, as the server does; kubectl hides those of priority 1
 * unless {@code -o wide}. Kinds without a printer get the server's default: Name and Created At.
 */
final class ServerTables {
    private record Column(String name, String type, int priority) {
    }

    private record Printer(List<Column> columns, BiFunction<JsonNode, Instant, List<Object>> cells) {
    }

    private static final Printer DEFAULT = new Printer(List.of(col("Name"), new Column("Created At", "date", 0)),
            (o, now) -> List.of(name(o), o.path("metadata").path("creationTimestamp").asText("")));

    private static final List<Column> BINDING_COLUMNS = List.of(col("Name"), col("Role"), col("Age"), wide("Users"),
            wide("Groups"), wide("ServiceAccounts"));

    private static final Map<String, Printer> PRINTERS = Map.ofEntries(Map.entry(
            "certificatesigningrequests", new Printer(
                    List.of(col("Name"), col("Age"), col("SignerName"), col("Requestor"), col("RequestedDuration"),
                            col("Condition")),
                    ServerTables::csr)), Map.entry(
            "events", new Printer(
                    List.of(col("Last Seen"), col("Type"), col("Reason"), col("Object"), wide("Subobject"),
                            wide("Source"), col("Message"), wide("First Seen"), wide("Count"), wide("Name")),
                    ServerTables::event)), Map.entry(
            "nodes", new Printer(
                    List.of(col("Name"), col("Status"), col("Roles"), col("Age"), col("Version"), wide("Internal-IP"),
                            wide("External-IP"), wide("OS-Image"), wide("Kernel-Version"),
                            wide("Container-Runtime")),
                    ServerTables::node)), Map.entry(
            "configmaps", new Printer(List.of(col("Name"), col("Data"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("data").size() + o.path("binaryData").size(), age(o, now)))),
            Map.entry("secrets", new Printer(List.of(col("Name"), col("Type"), col("Data"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("type").asText(""), o.path("data").size(), age(o, now)))),
            Map.entry("rolebindings", new Printer(BINDING_COLUMNS, ServerTables::binding)),
            Map.entry("clusterrolebindings", new Printer(BINDING_COLUMNS, ServerTables::binding)),
            Map.entry("namespaces", new Printer(List.of(col("Name"), col("Status"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("status").path("phase").asText(""), age(o, now)))),
            Map.entry("leases", new Printer(List.of(col("Name"), col("Holder"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("spec").path("holderIdentity").asText(""), age(o, now)))),
            Map.entry("pods", new Printer(List.of(col("Name"), col("Ready"), col("Status"), new Column("Restarts",
                    "string", 0), col("Age"), wide("IP"), wide("Node"), wide("Nominated Node"),
                    wide("Readiness Gates")), WorkloadTables::pod)),
            Map.entry("services", new Printer(List.of(col("Name"), col("Type"), col("Cluster-IP"),
                    col("External-IP"), col("Port(s)"), col("Age"), wide("Selector")), WorkloadTables::service)),
            Map.entry("endpointslices", new Printer(List.of(col("Name"), col("AddressType"), col("Ports"),
                    col("Endpoints"), col("Age")), WorkloadTables::endpointSlice)),
            Map.entry("serviceaccounts", new Printer(List.of(col("Name"), col("Secrets"), col("Age")),
                    (o, now) -> List.of(name(o), o.path("secrets").size(), age(o, now)))),
            Map.entry("clustertrustbundles", new Printer(List.of(col("Name"), col("SignerName")),
                    (o, now) -> List.of(name(o), orNone(o.path("spec").path("signerName").asText(""))))),
            Map.entry("podcertificaterequests", new Printer(List.of(col("Name"), col("PodName"),
                    col("ServiceAccountName"), col("NodeName"), col("SignerName"), col("State")),
                    ServerTables::podCertificateRequest)));

    private ServerTables() {
    }

    /**
     * Whether content negotiation picks a Table: the first media range of {@code Accept} that the
     * server can answer asks for {@code as=Table;g=meta.k8s.io;v=v1} (or {@code v1beta1}); a plain
     * JSON range before it wins, and a Table without group and version is no answer the server has.
     */
    static boolean wanted(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            Map<String, String> parameters = new java.util.HashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] pair = parts[i].trim().split("=", 2);
                parameters.put(pair[0].trim(), pair.length == 2 ? pair[1].trim() : "");
            }
            if (!List.of("application/json", "application/*", "*/*").contains(type)) {
                continue;
            }
            if (!parameters.containsKey("as")) {
                return false;
            }
            if (parameters.get("as").equals("Table") && "meta.k8s.io".equals(parameters.get("g"))
                    && List.of("v1", "v1beta1").contains(parameters.get("v"))) {
                return true;
            }
        }
        return false;
    }

    /** A Table of a list (its items) or of one object (one row), as a GET or a watch event carries it. */
    static ObjectNode of(String resource, JsonNode listOrObject, Clock clock) {
        Printer printer = PRINTERS.getOrDefault(resource, DEFAULT);
        List<JsonNode> items = new ArrayList<>();
        if (listOrObject.has("items")) {
            listOrObject.get("items").forEach(items::add);
        } else {
            items.add(listOrObject);
        }
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        metadata.put("resourceVersion", listOrObject.path("metadata").path("resourceVersion").asText(""));
        for (String field : List.of("continue", "remainingItemCount")) {
            if (listOrObject.path("metadata").hasNonNull(field)) {
                metadata.set(field, listOrObject.path("metadata").get(field));
            }
        }
        ArrayNode columns = table.putArray("columnDefinitions");
        for (Column column : printer.columns()) {
            columns.addObject().put("name", column.name()).put("type", column.type())
                    .put("format", column.name().equals("Name") ? "name" : "").put("description", "")
                    .put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        Instant now = clock.instant();
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.cells().apply(item, now)) {
                if (cell instanceof Number number) {
                    cells.add(number.longValue());
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            ObjectNode object = row.putObject("object");
            object.put("kind", "PartialObjectMetadata");
            object.put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", item.path("metadata").deepCopy());
        }
        return table;
    }

    private static Column col(String name) {
        return new Column(name, "string", 0);
    }

    private static Column wide(String name) {
        return new Column(name, "string", 1);
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    private static List<Object> csr(JsonNode csr, Instant now) {
        JsonNode seconds = csr.path("spec").path("expirationSeconds");
        String signerName = csr.path("spec").path("signerName").asText("");
        return List.of(name(csr), age(csr, now), signerName.isEmpty() ? "<none>" : signerName,
                csr.path("spec").path("username").asText(""),
                seconds.isNumber() ? human(Duration.ofSeconds(seconds.asLong())) : "<none>", condition(csr));
    }

    /**
     * No Age column, as the API server's printer has none. The state is the last Issued, Denied or
     * Failed condition's type (validation allows one), else Pending.
     */
    private static List<Object> podCertificateRequest(JsonNode request, Instant now) {
        String state = "Pending";
        for (JsonNode condition : request.path("status").path("conditions")) {
            String type = condition.path("type").asText("");
            if (List.of("Issued", "Denied", "Failed").contains(type)) {
                state = type;
            }
        }
        JsonNode spec = request.path("spec");
        return List.of(name(request), spec.path("podName").asText(""), spec.path("serviceAccountName").asText(""),
                spec.path("nodeName").asText(""), spec.path("signerName").asText(""), state);
    }

    /** Denied before Approved before Pending, then Failed and Issued, as the API server's printer orders them. */
    private static String condition(JsonNode csr) {
        List<String> types = new ArrayList<>();
        csr.path("status").path("conditions").forEach(c -> types.add(c.path("type").asText()));
        String status = types.contains("Denied") ? "Denied" : types.contains("Approved") ? "Approved" : "Pending";
        if (types.contains("Failed")) {
            status += ",Failed";
        }
        if (!csr.path("status").path("certificate").asText("").isEmpty()) {
            status += ",Issued";
        }
        return status;
    }

    /**
     * Both core/v1 and events.k8s.io/v1 shapes, which the API server prints alike (from the one
     * internal Event both convert to: {@code reportingComponent} and {@code reportingController}
     * are its ReportingController, {@code note} its message, {@code regarding} its involved object).
     */
    private static List<Object> event(JsonNode event, Instant now) {
        boolean core = !event.path("apiVersion").asText("").equals("events.k8s.io/v1");
        JsonNode regarding = core ? event.path("involvedObject") : event.path("regarding");
        String first = since(core ? event.path("firstTimestamp") : event.path("deprecatedFirstTimestamp"), now);
        if (first.equals("<unknown>")) {
            first = since(event.path("eventTime"), now);
        }
        String last = since(core ? event.path("lastTimestamp") : event.path("deprecatedLastTimestamp"), now);
        if (last.equals("<unknown>")) {
            last = first;
        }
        long count = (core ? event.path("count") : event.path("deprecatedCount")).asLong(0);
        if (event.path("series").isObject()) {
            last = since(event.path("series").path("lastObservedTime"), now);
            count = event.path("series").path("count").asLong(0);
        } else if (count == 0) {
            count = 1;
        }
        String kind = regarding.path("kind").asText("").toLowerCase(Locale.ROOT);
        String target = regarding.path("name").asText("").isEmpty() ? kind : kind + "/" + regarding.path("name")
                .asText();
        JsonNode source = core ? event.path("source") : event.path("deprecatedSource");
        String component = firstNonEmpty(source.path("component").asText(""),
                event.path(core ? "reportingComponent" : "reportingController").asText(""));
        String instance = firstNonEmpty(source.path("host").asText(""),
                event.path("reportingInstance").asText(""));
        String from = component.isEmpty() && instance.isEmpty() ? "" : instance.isEmpty() ? component
                : component + ", " + instance;
        String message = (core ? event.path("message") : event.path("note")).asText("").strip();
        return List.of(last, event.path("type").asText(""), event.path("reason").asText(""), target,
                regarding.path("fieldPath").asText(""), from, message, first, count, name(event));
    }

    /** RoleBindings and ClusterRoleBindings: the role, then the subjects by kind ({@code rbac.SubjectsStrings}). */
    private static List<Object> binding(JsonNode binding, Instant now) {
        List<String> users = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> serviceAccounts = new ArrayList<>();
        binding.path("subjects").forEach(subject -> {
            String subjectName = subject.path("name").asText("");
            switch (subject.path("kind").asText("")) {
                case "User" -> users.add(subjectName);
                case "Group" -> groups.add(subjectName);
                case "ServiceAccount" -> serviceAccounts.add(subject.path("namespace").asText("") + "/" + subjectName);
                default -> {
                    // other kinds are not printed
                }
            }
        });
        JsonNode role = binding.path("roleRef");
        return List.of(name(binding), role.path("kind").asText("") + "/" + role.path("name").asText(""),
                age(binding, now), String.join(", ", users), String.join(", ", groups),
                String.join(", ", serviceAccounts));
    }

    private static List<Object> node(JsonNode node, Instant now) {
        List<String> status = new ArrayList<>();
        node.path("status").path("conditions").forEach(c -> {
            if (c.path("type").asText().equals("Ready")) {
                status.add(c.path("status").asText().equals("True") ? "Ready" : "NotReady");
            }
        });
        if (status.isEmpty()) {
            status.add("Unknown");
        }
        if (node.path("spec").path("unschedulable").asBoolean(false)) {
            status.add("SchedulingDisabled");
        }
        TreeSet<String> roles = new TreeSet<>();
        node.path("metadata").path("labels").fields().forEachRemaining(label -> {
            String key = label.getKey();
            if (key.startsWith("node-role.kubernetes.io/") && key.length() > "node-role.kubernetes.io/".length()) {
                roles.add(key.substring("node-role.kubernetes.io/".length()));
            } else if (key.equals("kubernetes.io/role") && !label.getValue().asText("").isEmpty()) {
                roles.add(label.getValue().asText());
            }
        });
        JsonNode info = node.path("status").path("nodeInfo");
        return List.of(name(node), String.join(",", status), roles.isEmpty() ? "<none>" : String.join(",", roles),
                age(node, now), info.path("kubeletVersion").asText(""), address(node, "InternalIP"),
                address(node, "ExternalIP"), orUnknown(info.path("osImage")), orUnknown(info.path("kernelVersion")),
                orUnknown(info.path("containerRuntimeVersion")));
    }

    private static String address(JsonNode node, String type) {
        for (JsonNode address : node.path("status").path("addresses")) {
            if (address.path("type").asText().equals(type)) {
                return address.path("address").asText();
            }
        }
        return "<none>";
    }

    static String orNone(String value) {
        return value.isEmpty() ? "<none>" : value;
    }

    private static String orUnknown(JsonNode value) {
        return value.asText("").isEmpty() ? "<unknown>" : value.asText();
    }

    private static String firstNonEmpty(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    static String age(JsonNode object, Instant now) {
        return since(object.path("metadata").path("creationTimestamp"), now);
    }

    private static String since(JsonNode timestamp, Instant now) {
        String text = timestamp.asText("");
        if (text.isEmpty()) {
            return "<unknown>";
        }
        try {
            return human(Duration.between(Instant.parse(text), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    /** apimachinery's duration.HumanDuration: two units while the larger is small, one after. */
    static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        }
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + (seconds % 60) + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + (minutes % 60) + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            return hours % 24 == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + (hours % 24) + "h";
        }
        if (hours < 24 * 365 * 2) {
            return (hours / 24) + "d";
        }
        if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + days + "d";
        }
        return (hours / 24 / 365) + "y";
    }
}
