package io.csrflow.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The query parameters of a list or watch ({@code metav1.ListOptions}), decoded and checked as the
 * API server checks them.
 */
record ListOptions(String labelSelector, String fieldSelector, boolean watch, String resourceVersion,
        String resourceVersionMatch, long limit, String continueToken, boolean allowWatchBookmarks,
        Long timeoutSeconds, Boolean sendInitialEvents) {

    static ListOptions parse(String query) {
        Map<String, String> params = parameters(query);
        String watch = params.get("watch");
        long limit = parseLong(params.get("limit"), "limit", 0);
        String timeout = params.get("timeoutSeconds");
        String initial = params.get("sendInitialEvents");
        ListOptions options = new ListOptions(params.get("labelSelector"), params.get("fieldSelector"),
                "true".equals(watch) || "1".equals(watch), params.getOrDefault("resourceVersion", ""),
                params.getOrDefault("resourceVersionMatch", ""), Math.max(0, limit),
                params.getOrDefault("continue", ""), "true".equals(params.get("allowWatchBookmarks")),
                timeout == null ? null : parseLong(timeout, "timeoutSeconds", 0),
                initial == null ? null : Boolean.valueOf(initial));
        options.validate();
        return options;
    }

    /** The decoded query parameters; a parameter given twice keeps its first value, as Go's {@code Get}. */
    static Map<String, String> parameters(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static long parseLong(String value, String name, long absent) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "BadRequest", "invalid value for " + name + ": \"" + value + "\"");
        }
    }

    private void validate() {
        if (!resourceVersionMatch.isEmpty() && !resourceVersionMatch.equals("NotOlderThan")
                && !resourceVersionMatch.equals("Exact")) {
            throw invalid("resourceVersionMatch: Unsupported value: \"" + resourceVersionMatch
                    + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
        }
        if (watch) {
            if (sendInitialEvents != null) {
                if (!resourceVersionMatch.equals("NotOlderThan")) {
                    throw invalid("resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                            + "resourceVersionMatch to NotOlderThan");
                }
                if (!allowWatchBookmarks) {
                    throw invalid("allowWatchBookmarks: Forbidden: sendInitialEvents requires setting "
                            + "allowWatchBookmarks to true");
                }
            } else if (!resourceVersionMatch.isEmpty()) {
                throw invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless "
                        + "sendInitialEvents is provided");
            }
            return;
        }
        if (sendInitialEvents != null) {
            throw invalid("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list");
        }
        if (!resourceVersionMatch.isEmpty() && resourceVersion.isEmpty()) {
            throw invalid("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                    + "resourceVersion is provided");
        }
        if (resourceVersionMatch.equals("Exact") && resourceVersion.equals("0")) {
            throw invalid("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for "
                    + "resourceVersion \"0\"");
        }
        if (!continueToken.isEmpty() && !resourceVersion.isEmpty() && !resourceVersion.equals("0")) {
            throw new ApiException(400, "BadRequest",
                    "specifying resource version is not allowed when using continue");
        }
    }

    private static ApiException invalid(String detail) {
        return ApiException.invalid("ListOptions.meta.k8s.io", "", java.util.List.of(detail));
    }
}
