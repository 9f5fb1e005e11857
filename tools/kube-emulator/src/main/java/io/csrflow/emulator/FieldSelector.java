package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A field selector ({@code involvedObject.name=x,type!=Normal}) as the API server parses it:
 * {@code =}, {@code ==} and {@code !=} terms, values with {@code \,} {@code \=} {@code \\} escapes,
 * and only the fields the resource supports ({@link StoredResource#storedField}); any other is a
 * 400, as the API server answers "field label not supported". A missing field reads as the empty
 * string.
 */
final class FieldSelector {
    private record Term(String field, String value, boolean equal) {
    }

    static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    /** Parses {@code selector} for {@code resource}; an empty or null one selects everything. */
    static FieldSelector parse(String selector, StoredResource resource) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String term : split(selector)) {
            int ne = indexOfUnescaped(term, "!=");
            int eq = indexOfUnescaped(term, "=");
            String label;
            String value;
            boolean equal;
            if (ne > 0) {
                label = term.substring(0, ne);
                value = term.substring(ne + 2);
                equal = false;
            } else if (eq > 0) {
                label = term.substring(0, eq);
                value = term.substring(eq + (term.startsWith("==", eq) ? 2 : 1));
                equal = true;
            } else {
                throw new ApiException(400, "BadRequest", "invalid selector: '" + selector
                        + "'; can't understand '" + term + "'");
            }
            String stored = resource.storedField(label.trim());
            if (stored == null) {
                throw new ApiException(400, "BadRequest", "field label not supported: " + label.trim());
            }
            terms.add(new Term(stored, unescape(value), equal));
        }
        return new FieldSelector(List.copyOf(terms));
    }

    /**
     * The value an equality term of {@code selector} requires {@code field} to have, whatever the
     * resource, or null (also for a selector that does not parse): what the API server hands its
     * authorizers and request info, which read selectors before any resource checks them.
     */
    static String requiredValue(String selector, String field) {
        if (selector == null || selector.isBlank()) {
            return null;
        }
        for (String term : split(selector)) {
            int ne = indexOfUnescaped(term, "!=");
            int eq = indexOfUnescaped(term, "=");
            if (ne > 0) {
                continue;
            }
            if (eq <= 0) {
                return null;
            }
            if (term.substring(0, eq).trim().equals(field)) {
                return unescape(term.substring(eq + (term.startsWith("==", eq) ? 2 : 1)));
            }
        }
        return null;
    }

    boolean isEverything() {
        return terms.isEmpty();
    }

    /** The value this selector requires {@code field} to equal, or null (as {@code RequiresExactMatch}). */
    String exactMatch(String field) {
        return terms.stream().filter(t -> t.equal() && t.field().equals(field)).map(Term::value).findFirst()
                .orElse(null);
    }

    /** Matches an object by its name, namespace and selectable fields (keyed by stored field label). */
    boolean matches(String name, String namespace, Map<String, String> fields) {
        for (Term term : terms) {
            String actual = switch (term.field()) {
                case "metadata.name" -> name;
                case "metadata.namespace" -> namespace == null ? "" : namespace;
                default -> fields.getOrDefault(term.field(), "");
            };
            if (actual.equals(term.value()) != term.equal()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> split(String selector) {
        List<String> terms = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '\\' && i + 1 < selector.length()) {
                current.append(c).append(selector.charAt(++i));
            } else if (c == ',') {
                terms.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        terms.add(current.toString());
        return terms;
    }

    private static int indexOfUnescaped(String term, String operator) {
        for (int i = 0; i < term.length(); i++) {
            if (term.charAt(i) == '\\') {
                i++;
            } else if (term.startsWith(operator, i)) {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }
}
