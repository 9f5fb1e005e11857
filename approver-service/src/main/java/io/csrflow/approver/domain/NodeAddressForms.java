package io.csrflow.approver.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * One spelling per address, so that {@code fd00::1} and {@code fd00:0:0:0:0:0:0:1}, or
 * {@code Node-1.Example.} and {@code node-1.example}, compare equal: IP literals in their canonical
 * text form, names in lower case without a trailing dot.
 */
public final class NodeAddressForms {
    private NodeAddressForms() {
    }

    public static String canonical(String address) {
        Optional<java.net.InetAddress> ip = IpLiteral.parse(address);
        if (ip.isPresent()) {
            return ip.get().getHostAddress();
        }
        String name = address.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * The first label of a name in canonical form ({@code node-b} of {@code Node-B.Nodes.Example.}), or
     * empty for an IP literal, which names no host.
     */
    public static Optional<String> firstLabel(String address) {
        String name = canonical(address);
        if (IpLiteral.parse(name).isPresent()) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        String label = dot < 0 ? name : name.substring(0, dot);
        return label.isEmpty() ? Optional.empty() : Optional.of(label);
    }
}
