package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals, parsed without ever resolving a name. */
final class IpLiteral {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral() {
    }

    static Optional<InetAddress> parse(String text) {
        boolean literal = IPV4.matcher(text).matches() || (text.contains(":") && IPV6.matcher(text).matches());
        if (!literal) {
            return Optional.empty();
        }
        try {
            // A literal never triggers a lookup.
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
