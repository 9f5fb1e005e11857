package io.csrflow.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Requests served, per verb and resource and per authenticated caller, so that benchmarks can
 * report the API calls each component makes per CSR.
 */
public final class RequestCounter {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> byUser = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    void count(String verb, String resource, String user) {
        total.increment();
        String key = verb + " " + resource;
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
        byUser.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).computeIfAbsent(key, k -> new LongAdder())
                .increment();
    }

    /** How many requests had this verb on this resource ({@code resource[/subresource]}). */
    public long count(String verbAndResource) {
        LongAdder adder = counts.get(verbAndResource);
        return adder == null ? 0 : adder.sum();
    }

    /** How many of those requests came from {@code user}. */
    public long count(String user, String verbAndResource) {
        Map<String, LongAdder> perUser = byUser.get(user);
        LongAdder adder = perUser == null ? null : perUser.get(verbAndResource);
        return adder == null ? 0 : adder.sum();
    }

    public long total() {
        return total.sum();
    }

    ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("total", total());
        ObjectNode by = json.putObject("byVerbAndResource");
        new TreeMap<>(counts).forEach((k, v) -> by.put(k, v.sum()));
        ObjectNode users = json.putObject("byUser");
        new TreeMap<>(byUser).forEach((user, perUser) -> {
            ObjectNode node = users.putObject(user);
            new TreeMap<>(perUser).forEach((k, v) -> node.put(k, v.sum()));
        });
        return json;
    }
}
