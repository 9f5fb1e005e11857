package io.csrflow.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-side printing of CSRs as a {@code meta.k8s.io/v1} Table, the columns the API server gives
 * {@code kubectl get csr}: NAME, AGE, SIGNERNAME, REQUESTOR, REQUESTEDDURATION, CONDITION.
 */
final class CsrTable {
    private CsrTable() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static ObjectNode of(JsonNode listOrObject, Clock clock) {
        List<JsonNode> items = new ArrayList<>();
        if (listOrObject.has("items")) {
            listOrObject.get("items").forEach(items::add);
        } else {
            items.add(listOrObject);
        }
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion",
                listOrObject.path("metadata").path("resourceVersion").asText(""));
        ArrayNode columns = table.putArray("columnDefinitions");
        for (String name : List.of("Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition")) {
            ObjectNode column = columns.addObject();
            column.put("name", name);
            column.put("type", "string");
            column.put("format", name.equals("Name") ? "name" : "");
            column.put("description", "");
            column.put("priority", 0);
        }
        ArrayNode rows = table.putArray("rows");
        Instant now = clock.instant();
        for (JsonNode csr : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            cells.add(csr.path("metadata").path("name").asText());
            cells.add(age(csr.path("metadata").path("creationTimestamp").asText(null), now));
            cells.add(csr.path("spec").path("signerName").asText(""));
            cells.add(csr.path("spec").path("username").asText(""));
            JsonNode seconds = csr.path("spec").path("expirationSeconds");
            cells.add(seconds.isNumber() ? human(Duration.ofSeconds(seconds.asLong())) : "<none>");
            cells.add(condition(csr));
            ObjectNode object = row.putObject("object");
            object.put("kind", "PartialObjectMetadata");
            object.put("apiVersion", "meta.k8s.io/v1");
            object.set("metadata", csr.path("metadata").deepCopy());
        }
        return table;
    }

    private static String condition(JsonNode csr) {
        List<String> parts = new ArrayList<>();
        csr.path("status").path("conditions").forEach(c -> parts.add(c.path("type").asText()));
        if (parts.isEmpty()) {
            parts.add("Pending");
        }
        if (!csr.path("status").path("certificate").asText("").isEmpty()) {
            parts.add("Issued");
        }
        return String.join(",", parts);
    }

    private static String age(String creationTimestamp, Instant now) {
        if (creationTimestamp == null) {
            return "<unknown>";
        }
        return human(Duration.between(Instant.parse(creationTimestamp), now));
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m";
        }
        if (s < 172800) {
            return (s / 3600) + "h";
        }
        return (s / 86400) + "d";
    }
}
