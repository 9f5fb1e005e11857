package io.csrflow.signer.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label selector in kubectl's text form ({@code a=b}, {@code a==b}, {@code a!=b}, {@code a in (x,y)},
 * {@code a notin (x,y)}, {@code a}, {@code !a}, comma-separated, all must hold), matched here rather
 * than by the API server so that every namespace event can be judged against the same rule; empty
 * selects everything. A selector that does not parse stops the start: a typo must not publish
 * everywhere or nowhere.
 */
public final class NamespaceSelector {
    private static final String KEY = "([A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)";
    private static final String VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
    private static final Pattern SET = Pattern.compile(KEY + "\\s+(in|notin)\\s+\\(([^)]*)\\)");
    private static final Pattern EQUALITY = Pattern.compile(KEY + "\\s*(==|=|!=)\\s*" + VALUE);
    private static final Pattern EXISTS = Pattern.compile("(!?)\\s*" + KEY);
    private static final Pattern VALUE_ONLY = Pattern.compile(VALUE);

    private final String text;
    private final List<Predicate<Map<String, String>>> requirements;

    private NamespaceSelector(String text, List<Predicate<Map<String, String>>> requirements) {
        this.text = text;
        this.requirements = requirements;
    }

    /** @throws IllegalArgumentException naming the requirement that does not parse */
    public static NamespaceSelector parse(String selector) {
        List<Predicate<Map<String, String>>> requirements = new ArrayList<>();
        for (String part : split(selector.trim())) {
            String requirement = part.trim();
            if (requirement.isEmpty()) {
                continue;
            }
            Matcher m;
            if ((m = SET.matcher(requirement)).matches()) {
                String key = m.group(1);
                boolean in = m.group(3).equals("in");
                List<String> values = new ArrayList<>();
                for (String value : m.group(4).split(",")) {
                    if (!VALUE_ONLY.matcher(value.trim()).matches()) {
                        throw new IllegalArgumentException("\"" + requirement + "\": \"" + value.trim()
                                + "\" is not a label value");
                    }
                    values.add(value.trim());
                }
                Set<String> set = Set.copyOf(values);
                // As in Kubernetes, notin also matches where the label is absent.
                requirements.add(labels -> labels.containsKey(key) && set.contains(labels.get(key)) == in
                        || !labels.containsKey(key) && !in);
            } else if ((m = EQUALITY.matcher(requirement)).matches()) {
                String key = m.group(1);
                String value = m.group(4) == null ? "" : m.group(4);
                boolean equal = !m.group(3).equals("!=");
                requirements.add(labels -> value.equals(labels.get(key)) == equal);
            } else if ((m = EXISTS.matcher(requirement)).matches()) {
                String key = m.group(2);
                boolean present = m.group(1).isEmpty();
                requirements.add(labels -> labels.containsKey(key) == present);
            } else {
                throw new IllegalArgumentException("\"" + requirement + "\" is not a label selector requirement "
                        + "(key=value, key!=value, key in (a,b), key notin (a,b), key, !key)");
            }
        }
        return new NamespaceSelector(selector.trim(), List.copyOf(requirements));
    }

    /** Commas inside parentheses belong to a set, not between requirements. */
    private static List<String> split(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(selector.substring(start));
        return parts;
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> present = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.test(present));
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "every namespace" : text;
    }
}
