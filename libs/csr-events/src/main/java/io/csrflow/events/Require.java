package io.csrflow.events;

import java.util.List;
import java.util.Map;

/** Null checks shared by the event records' constructors; the message names the missing field. */
final class Require {
    private Require() {
    }

    static <T> T field(T value, String name) {
        if (value == null) {
            throw new MissingFieldException(name);
        }
        return value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }
}
