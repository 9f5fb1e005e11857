package io.csrflow.emulator;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals as Go's {@code net.ParseIP} reads them (what the API server's validation
 * uses): dotted-quad IPv4 without leading zeros, or IPv6 without a zone. Never a name lookup:
 * {@link InetAddress#getByName} is only given strings that are literals already.
 */
final class IpAddresses {
    static final String INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

    private IpAddresses() {
    }

    /** The 4 or 16 bytes of an IP literal (an IPv4-mapped IPv6 address gives 4), or null when it is none. */
    static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        int dot = text.lastIndexOf(':');
        if (text.indexOf('.') >= 0 && parseIpv4(text.substring(dot + 1)) == null) {
            return null;
        }
        try {
            // A literal with ':' is parsed as IPv6 by the JDK, never resolved.
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static boolean isIp(String text) {
        return parse(text) != null;
    }

    static boolean isIpv4(String text) {
        byte[] address = parse(text);
        return address != null && address.length == 4 && text.indexOf(':') < 0;
    }

    static boolean isIpv6(String text) {
        return text != null && text.indexOf(':') >= 0 && parse(text) != null;
    }

    /** The canonical text of an address ({@code net.IP.String()}). */
    static String format(byte[] address) {
        try {
            String text = InetAddress.getByAddress(address).getHostAddress();
            return address.length == 16 ? compress(text) : text;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@code ValidateNonSpecialIP}: the problem with an endpoint address that can never be a pod's, or null. */
    static String specialProblem(byte[] address) {
        boolean allZero = true;
        for (byte b : address) {
            allZero &= b == 0;
        }
        if (allZero) {
            return "may not be unspecified (0.0.0.0, ::)";
        }
        try {
            InetAddress ip = InetAddress.getByAddress(address);
            if (ip.isLoopbackAddress()) {
                return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
            }
            if (ip.isLinkLocalAddress()) {
                return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
            }
            if (address.length == 4 && (address[0] & 0xff) == 224 && address[1] == 0 && address[2] == 0
                    || address.length == 16 && (address[0] & 0xff) == 0xff && (address[1] & 0x0f) == 2) {
                return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        return null;
    }

    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || part.length() > 1 && part.charAt(0) == '0') {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            address[i] = (byte) value;
        }
        return address;
    }

    /** The JDK writes every IPv6 group; Go compresses the longest run of zero groups to {@code ::}. */
    private static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
