package io.csrflow.approver.domain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network, e.g. {@code 10.0.0.0/8}. */
public record Cidr(String text, byte[] network, int prefix) {

    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (address/prefix): " + text);
        }
        try {
            byte[] address = InetAddress.getByName(text.substring(0, slash)).getAddress();
            int prefix = Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("prefix out of range in " + text);
            }
            return new Cidr(text, address, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR (address/prefix): " + text, e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int shift = bytes.length * 8 - prefix;
        return new BigInteger(1, bytes).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
    }

    /** The network's first host address (network + 1): a Service CIDR's is the API server's Service. */
    public InetAddress firstAddress() {
        int bits = network.length * 8;
        BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        BigInteger mask = all.xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        BigInteger first = new BigInteger(1, network).and(mask).add(BigInteger.ONE);
        byte[] raw = first.toByteArray();
        byte[] bytes = new byte[network.length];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
