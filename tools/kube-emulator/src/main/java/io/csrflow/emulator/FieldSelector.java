package io.csrflow.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Field selectors on list requests ({@code involvedObject.name=x,type!=Normal}), applied by the
 * emulator because the mock server understands only {@code metadata.name}. A missing field reads as
 * the empty string, as the API server treats it.
 */
final class FieldSelector {
    private record Term(String path, String value, boolean equal) {
    }

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    /** The selector in a query string, or null if there is none. */
    static FieldSelector fromQuery(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("fieldSelector=")) {
                String selector = URLDecoder.decode(parameter.substring("fieldSelector=".length()),
                        StandardCharsets.UTF_8);
                return selector.isBlank() ? null : parse(selector);
            }
        }
        return null;
    }

    static FieldSelector parse(String selector) {
        List<Term> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            int ne = term.indexOf("!=");
            int eq = term.indexOf('=');
            if (ne > 0) {
                terms.add(new Term(term.substring(0, ne), term.substring(ne + 2), false));
            } else if (eq > 0) {
                int skip = term.startsWith("==", eq) ? 2 : 1;
                terms.add(new Term(term.substring(0, eq), term.substring(eq + skip), true));
            } else {
                throw new ApiException(400, "BadRequest", "invalid field selector term \"" + term + "\"");
            }
        }
        return new FieldSelector(terms);
    }

    /** The query string without its fieldSelector parameter. */
    static String withoutSelector(String query) {
        return String.join("&", java.util.Arrays.stream(query.split("&"))
                .filter(p -> !p.startsWith("fieldSelector=") && !p.isEmpty()).toList());
    }

    boolean matches(JsonNode object) {
        for (Term term : terms) {
            JsonNode node = object;
            for (String part : term.path().split("\\.")) {
                node = node == null ? null : node.get(part);
            }
            String actual = node == null || node.isNull() ? "" : node.asText();
            if (actual.equals(term.value()) != term.equal()) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the list response with only the items that match. */
    ObjectNode filter(ObjectNode list) {
        ObjectNode copy = list.deepCopy();
        ArrayNode items = copy.putArray("items");
        list.path("items").forEach(item -> {
            if (matches(item)) {
                items.add(item);
            }
        });
        return copy;
    }
}
