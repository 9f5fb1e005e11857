package io.csrflow.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP address text as the parser writes it (canonical, from 4 or 16 octets) back to its octets. */
final class IpAddresses {
    private IpAddresses() {
    }

    static byte[] bytes(String canonical) {
        try {
            // The parser produced this text from octets: a literal, never a name to resolve.
            return InetAddress.getByName(canonical).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + canonical, e);
        }
    }
}
