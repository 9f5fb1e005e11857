package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A label selector as the API server parses it ({@code k8s.io/apimachinery/pkg/labels}):
 * comma-separated requirements, each {@code key}, {@code !key}, {@code key=v}, {@code key==v},
 * {@code key!=v}, {@code key in (v1,v2)}, {@code key notin (v1,v2)}, {@code key>n} or {@code key<n}.
 * {@code !=} and {@code notin} also match objects without the label, as on the API server.
 */
final class LabelSelector {
    private enum Operator { EXISTS, NOT_EXISTS, EQUALS, NOT_EQUALS, IN, NOT_IN, GREATER, LESS }

    private record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EXISTS -> value != null;
                case NOT_EXISTS -> value == null;
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case GREATER, LESS -> value != null && compare(value);
            };
        }

        private boolean compare(String value) {
            try {
                long actual = Long.parseLong(value);
                long bound = Long.parseLong(values.iterator().next());
                return operator == Operator.GREATER ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    private static final Pattern KEY = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

    static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    /** Parses a selector; an empty or null one selects everything. */
    static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            requirements.add(requirement(term.trim(), selector));
        }
        return new LabelSelector(List.copyOf(requirements));
    }

    boolean isEverything() {
        return requirements.isEmpty();
    }

    boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Commas separate requirements except inside the parentheses of a set. */
    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }

    private static Requirement requirement(String term, String selector) {
        if (term.isEmpty()) {
            throw invalid(selector, "found '', expected: !, identifier, or 'end of string'");
        }
        if (term.startsWith("!")) {
            return new Requirement(key(term.substring(1).trim(), selector), Operator.NOT_EXISTS, Set.of());
        }
        java.util.regex.Matcher set = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(term);
        if (set.matches()) {
            List<String> values = new ArrayList<>();
            for (String value : set.group(3).split(",", -1)) {
                values.add(value(value.trim(), selector));
            }
            return new Requirement(key(set.group(1), selector),
                    set.group(2).equals("in") ? Operator.IN : Operator.NOT_IN, Set.copyOf(values));
        }
        for (String op : List.of("!=", "==", "=", ">", "<")) {
            int at = term.indexOf(op);
            if (at > 0) {
                String key = key(term.substring(0, at).trim(), selector);
                String value = value(term.substring(at + op.length()).trim(), selector);
                Operator operator = switch (op) {
                    case "!=" -> Operator.NOT_EQUALS;
                    case ">" -> Operator.GREATER;
                    case "<" -> Operator.LESS;
                    default -> Operator.EQUALS;
                };
                if ((operator == Operator.GREATER || operator == Operator.LESS) && !value.matches("-?[0-9]+")) {
                    throw invalid(selector, "for 'Gt', 'Lt' operators, the value must be an integer");
                }
                return new Requirement(key, operator, Set.of(value));
            }
        }
        return new Requirement(key(term, selector), Operator.EXISTS, Set.of());
    }

    private static String key(String key, String selector) {
        if (!KEY.matcher(key).matches() || key.length() > 317) {
            throw invalid(selector, "key: Invalid value: \"" + key + "\": name part must consist of alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
        return key;
    }

    private static String value(String value, String selector) {
        if (!VALUE.matcher(value).matches() || value.length() > 63) {
            throw invalid(selector, "values[0]: Invalid value: \"" + value + "\": a valid label must be an empty "
                    + "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                    + "alphanumeric character");
        }
        return value;
    }

    private static ApiException invalid(String selector, String detail) {
        return new ApiException(400, "BadRequest", "unable to parse requirement: " + detail
                + " (label selector \"" + selector + "\")");
    }
}
