package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RFC 6901 pointers for JSON patch. Each operation changes the document in place and returns it; a
 * pointer that does not resolve is a 422 worded as the API server words a failed JSON patch.
 */
final class JsonPointers {
    private JsonPointers() {
    }

    static JsonNode get(JsonNode document, String pointer) {
        JsonNode node = document;
        for (String token : tokens(pointer)) {
            node = child(node, token, pointer);
        }
        return node;
    }

    static JsonNode add(JsonNode document, String pointer, JsonNode value) {
        if (value == null) {
            throw invalid("the add operation at " + pointer + " has no value");
        }
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            return value.deepCopy();
        }
        JsonNode parent = parent(document, tokens, pointer);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value.deepCopy());
        } else if (parent instanceof ArrayNode array) {
            if (last.equals("-")) {
                array.add(value.deepCopy());
            } else {
                int index = index(last, array.size() + 1, pointer);
                array.insert(index, value.deepCopy());
            }
        } else {
            throw invalid("doc is missing path: \"" + pointer + "\"");
        }
        return document;
    }

    static JsonNode remove(JsonNode document, String pointer) {
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            throw invalid("cannot remove the whole document");
        }
        JsonNode parent = parent(document, tokens, pointer);
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object && object.has(last)) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array) {
            array.remove(index(last, array.size(), pointer));
        } else {
            throw invalid("Unable to remove nonexistent key: " + last + ": missing value");
        }
        return document;
    }

    private static JsonNode parent(JsonNode document, List<String> tokens, String pointer) {
        JsonNode node = document;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            node = child(node, token, pointer);
        }
        return node;
    }

    private static JsonNode child(JsonNode node, String token, String pointer) {
        JsonNode child = null;
        if (node instanceof ObjectNode object) {
            child = object.get(token);
        } else if (node instanceof ArrayNode array) {
            child = array.get(index(token, array.size(), pointer));
        }
        if (child == null) {
            throw invalid("doc is missing path: \"" + pointer + "\": missing value");
        }
        return child;
    }

    private static int index(String token, int bound, String pointer) {
        try {
            int index = Integer.parseInt(token);
            if (index >= 0 && index < bound) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below, as any other bad index
        }
        throw invalid("the array index \"" + token + "\" in \"" + pointer + "\" is out of range");
    }

    private static List<String> tokens(String pointer) {
        List<String> tokens = new ArrayList<>();
        if (pointer.isEmpty()) {
            return tokens;
        }
        if (!pointer.startsWith("/")) {
            throw invalid("the JSON pointer \"" + pointer + "\" does not start with /");
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            tokens.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static ApiException invalid(String message) {
        return new ApiException(422, "Invalid", message);
    }
}
