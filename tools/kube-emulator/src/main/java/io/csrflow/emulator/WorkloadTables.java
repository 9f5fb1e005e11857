package io.csrflow.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The rows kube-apiserver's printers give Pods, Services and EndpointSlices ({@code printPod},
 * {@code printService}, {@code printEndpointSlice}), for {@link ServerTables}.
 */
final class WorkloadTables {
    private static final int MAX_LISTED = 3;

    private WorkloadTables() {
    }

    /** NAME, READY, STATUS, RESTARTS, AGE; wide: IP, NODE, NOMINATED NODE, READINESS GATES. */
    static List<Object> pod(JsonNode pod, Instant now) {
        JsonNode status = pod.path("status");
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        long restarts = 0;
        String reason = status.path("reason").asText("").isEmpty() ? status.path("phase").asText("")
                : status.path("reason").asText();
        for (JsonNode container : status.path("containerStatuses")) {
            restarts += container.path("restartCount").asLong(0);
            JsonNode state = container.path("state");
            if (!state.path("waiting").path("reason").asText("").isEmpty()) {
                reason = state.path("waiting").path("reason").asText();
            } else if (!state.path("terminated").path("reason").asText("").isEmpty()) {
                reason = state.path("terminated").path("reason").asText();
            } else if (state.has("running") && container.path("ready").asBoolean(false)) {
                ready++;
            }
        }
        if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
            reason = "Terminating";
        }
        JsonNode gates = pod.path("spec").path("readinessGates");
        String readinessGates = "<none>";
        if (!gates.isEmpty()) {
            int met = 0;
            for (JsonNode gate : gates) {
                for (JsonNode condition : status.path("conditions")) {
                    if (condition.path("type").asText().equals(gate.path("conditionType").asText())
                            && condition.path("status").asText().equals("True")) {
                        met++;
                    }
                }
            }
            readinessGates = met + "/" + gates.size();
        }
        return List.of(ServerTables.name(pod), ready + "/" + total, reason, restarts, ServerTables.age(pod, now),
                ServerTables.orNone(status.path("podIP").asText("")),
                ServerTables.orNone(pod.path("spec").path("nodeName").asText("")),
                ServerTables.orNone(status.path("nominatedNodeName").asText("")), readinessGates);
    }

    /** NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE; wide: SELECTOR. */
    static List<Object> service(JsonNode service, Instant now) {
        JsonNode spec = service.path("spec");
        String type = spec.path("type").asText("");
        List<String> ports = new ArrayList<>();
        for (JsonNode port : spec.path("ports")) {
            long nodePort = port.path("nodePort").asLong(0);
            ports.add(port.path("port").asLong() + (nodePort > 0 ? ":" + nodePort : "") + "/"
                    + port.path("protocol").asText("TCP"));
        }
        TreeMap<String, String> selector = new TreeMap<>();
        spec.path("selector").fields().forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
        List<String> terms = new ArrayList<>();
        selector.forEach((k, v) -> terms.add(k + "=" + v));
        return List.of(ServerTables.name(service), type, ServerTables.orNone(spec.path("clusterIP").asText("")),
                externalIp(service), ports.isEmpty() ? "<none>" : String.join(",", ports),
                ServerTables.age(service, now), terms.isEmpty() ? "<none>" : String.join(",", terms));
    }

    /** NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE. */
    static List<Object> endpointSlice(JsonNode slice, Instant now) {
        List<String> ports = new ArrayList<>();
        for (JsonNode port : slice.path("ports")) {
            ports.add(port.hasNonNull("port") ? port.path("port").asText() : "<unset>");
        }
        List<String> addresses = new ArrayList<>();
        for (JsonNode endpoint : slice.path("endpoints")) {
            endpoint.path("addresses").forEach(a -> addresses.add(a.asText()));
        }
        return List.of(ServerTables.name(slice), slice.path("addressType").asText(""), listed(ports),
                listed(addresses), ServerTables.age(slice, now));
    }

    /** The first three, then how many more, as the printers abbreviate lists; {@code <unset>} when empty. */
    private static String listed(List<String> values) {
        if (values.isEmpty()) {
            return "<unset>";
        }
        String shown = String.join(",", values.subList(0, Math.min(MAX_LISTED, values.size())));
        return values.size() > MAX_LISTED ? shown + " + " + (values.size() - MAX_LISTED) + " more..." : shown;
    }

    private static String externalIp(JsonNode service) {
        JsonNode spec = service.path("spec");
        List<String> ips = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> ips.add(ip.asText()));
        switch (spec.path("type").asText("")) {
            case "ExternalName" -> {
                return spec.path("externalName").asText("");
            }
            case "LoadBalancer" -> {
                service.path("status").path("loadBalancer").path("ingress").forEach(ingress -> ips.add(
                        ingress.path("ip").asText("").isEmpty() ? ingress.path("hostname").asText()
                                : ingress.path("ip").asText()));
                return ips.isEmpty() ? "<pending>" : String.join(",", ips);
            }
            default -> {
                return ips.isEmpty() ? "<none>" : String.join(",", ips);
            }
        }
    }
}
