package io.csrflow.scheduler.streams;

/** Keys of the node index: node name, a NUL (never in a node name), identity; prefix-scannable by node. */
final class NodeKey {
    private static final char SEPARATOR = '\u0000';

    private NodeKey() {
    }

    static String of(String nodeName, String identity) {
        return nodeName + SEPARATOR + identity;
    }

    static String prefix(String nodeName) {
        return nodeName + SEPARATOR;
    }

    static String node(String key) {
        return key.substring(0, key.indexOf(SEPARATOR));
    }

    static String identity(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }
}
