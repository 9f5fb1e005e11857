package io.csrflow.testsupport;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, as a scraper would. */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {
    }

    /** The sum of every sample of {@code metric} whose labels include all of {@code labels}; 0 if none. */
    public static double sum(String exposition, String metric, Map<String, String> labels) {
        double total = 0;
        Matcher sample = SAMPLE.matcher(exposition);
        while (sample.find()) {
            if (sample.group(1).equals(metric) && hasAll(sample.group(3), labels)) {
                total += Double.parseDouble(sample.group(4));
            }
        }
        return total;
    }

    private static boolean hasAll(String labelText, Map<String, String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        if (labelText == null) {
            return false;
        }
        Map<String, String> present = new java.util.HashMap<>();
        Matcher label = LABEL.matcher(labelText);
        while (label.find()) {
            present.put(label.group(1), label.group(2));
        }
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(present.get(e.getKey())));
    }
}
