package io.csrflow.events;

import java.util.List;
import java.util.Map;

/**
 * Who created a CSR, as the API server recorded it in {@code spec.username}, {@code spec.uid},
 * {@code spec.groups} and {@code spec.extra}.
 */
public record Requester(String username, String uid, List<String> groups, Map<String, List<String>> extra) {

    public Requester {
        groups = Require.list(groups);
        extra = Require.map(extra);
    }
}
