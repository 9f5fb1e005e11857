package io.csrflow.emulator;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code events.k8s.io/v1} Event to core {@code v1} Event and back, the field renames of the API
 * server's conversion: both APIs serve the same stored Events, so an Event written through one is
 * read through the other.
 */
final class EventConversion {
    /** events.k8s.io field to core field; the fields not named here are the same in both. */
    private static final Map<String, String> RENAMES = Map.of(
            "regarding", "involvedObject",
            "note", "message",
            "reportingController", "reportingComponent",
            "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp",
            "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count");

    private EventConversion() {
    }

    static ObjectNode toCore(ObjectNode eventsV1) {
        return rename(eventsV1, false, "v1");
    }

    static ObjectNode toEventsV1(ObjectNode core) {
        return rename(core, true, "events.k8s.io/v1");
    }

    private static ObjectNode rename(ObjectNode from, boolean coreToV1, String apiVersion) {
        ObjectNode to = Json.MAPPER.createObjectNode();
        to.put("apiVersion", apiVersion);
        to.put("kind", "Event");
        from.fields().forEachRemaining(field -> {
            if (field.getKey().equals("apiVersion") || field.getKey().equals("kind")) {
                return;
            }
            to.set(renamed(field.getKey(), coreToV1), field.getValue().deepCopy());
        });
        return to;
    }

    private static String renamed(String field, boolean coreToV1) {
        if (!coreToV1) {
            return RENAMES.getOrDefault(field, field);
        }
        for (Map.Entry<String, String> rename : RENAMES.entrySet()) {
            if (rename.getValue().equals(field)) {
                return rename.getKey();
            }
        }
        return field;
    }
}
