package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP address literals, parsed without ever resolving a name. The JDK resolves whatever it does not
 * read as a literal ({@code 1.2.3.999} goes to DNS), so IPv4 is read here, and the JDK is handed only
 * text it reads as an IPv6 literal or refuses outright: a ':' makes it refuse rather than resolve.
 */
final class IpLiteral {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private IpLiteral() {
    }

    static Optional<InetAddress> parse(String text) {
        if (IPV4.matcher(text).matches()) {
            return ipv4(text);
        }
        if (!text.contains(":") || !IPV6.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Four decimal octets, each at most 255 (leading zeros read as decimal, as the JDK reads them). */
    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                return Optional.empty();
            }
            address[i] = (byte) octet;
        }
        try {
            return Optional.of(InetAddress.getByAddress(address));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
