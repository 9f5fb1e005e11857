package io.csrflow.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Requests served, per verb and resource, so that benchmarks can report API calls per CSR. */
public final class RequestCounter {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    void count(String verb, String resource) {
        total.increment();
        counts.computeIfAbsent(verb + " " + resource, k -> new LongAdder()).increment();
    }

    /** How many requests had this verb on this resource ({@code resource[/subresource]}). */
    public long count(String verbAndResource) {
        LongAdder adder = counts.get(verbAndResource);
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
        return json;
    }
}
