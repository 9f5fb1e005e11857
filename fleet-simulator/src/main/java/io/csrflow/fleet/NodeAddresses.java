package io.csrflow.fleet;

/** A simulated node's name and the addresses its Node object reports. */
record NodeAddresses(String name, String internalIp) {
    static final String USER_PREFIX = "system:node:";

    /** Node number {@code index} (from 0) gets 10.244.x.y, unique for the first 65,000 nodes. */
    static NodeAddresses of(String prefix, int index) {
        int host = index + 10;
        return new NodeAddresses(prefix + (index + 1), "10.244." + (host / 250) + "." + (host % 250 + 1));
    }

    String userName() {
        return USER_PREFIX + name;
    }
}
