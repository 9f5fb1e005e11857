package io.csrflow.emulator;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Set;

/**
 * kube-apiserver's {@code --service-cluster-ip-range}: the addresses Services get their cluster IPs
 * from. The network address is never handed out (nor the broadcast address of an IPv4 range), and
 * the first usable address belongs to the {@code default/kubernetes} Service, as the API server's
 * own Service takes it.
 */
final class ServiceCidr {
    static final String DEFAULT = "10.96.0.0/12";

    private final String text;
    private final BigInteger network;
    private final int length;
    private final int prefix;
    private final BigInteger size;
    private final SecureRandom random = new SecureRandom();

    private ServiceCidr(String text, BigInteger network, int length, int prefix) {
        this.text = text;
        this.network = network;
        this.length = length;
        this.prefix = prefix;
        this.size = BigInteger.ONE.shiftLeft(length * 8 - prefix);
    }

    /** Parses {@code a.b.c.d/n} or an IPv6 CIDR; the address is masked to the network, as Go's ParseCIDR does. */
    static ServiceCidr parse(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        byte[] address = slash < 0 ? null : IpAddresses.parse(cidr.substring(0, slash));
        int prefix;
        try {
            prefix = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (address == null || prefix < 0 || prefix > address.length * 8 || address.length * 8 - prefix < 2) {
            throw new IllegalArgumentException("invalid service cluster IP range " + cidr
                    + ": expected a CIDR such as " + DEFAULT + " with room for at least 2 addresses");
        }
        int bits = address.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE.shiftLeft(bits - prefix));
        BigInteger network = new BigInteger(1, address).and(mask);
        return new ServiceCidr(IpAddresses.format(bytes(network, address.length)) + "/" + prefix, network,
                address.length, prefix);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Whether the address can be a cluster IP of this range. */
    boolean contains(byte[] address) {
        if (address == null || address.length != length) {
            return false;
        }
        BigInteger offset = new BigInteger(1, address).subtract(network);
        return offset.signum() > 0 && offset.compareTo(lastUsable()) <= 0;
    }

    /** The address the {@code default/kubernetes} Service has. */
    String first() {
        return IpAddresses.format(bytes(network.add(BigInteger.ONE), length));
    }

    /**
     * A free address, picked at random as the API server's allocator does (clients must not expect an
     * order), or null when every address is taken.
     */
    String allocate(Set<String> taken) {
        BigInteger usable = lastUsable();
        long count = usable.min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
        if (taken.size() >= count) {
            return null;
        }
        for (int attempt = 0; attempt < 64; attempt++) {
            BigInteger offset = new BigInteger(usable.bitLength(), random).mod(usable).add(BigInteger.ONE);
            String candidate = IpAddresses.format(bytes(network.add(offset), length));
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
        for (BigInteger offset = BigInteger.ONE; offset.compareTo(usable) <= 0; offset = offset.add(BigInteger.ONE)) {
            String candidate = IpAddresses.format(bytes(network.add(offset), length));
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The offset of the last address that may be handed out: the IPv4 broadcast address is not. */
    private BigInteger lastUsable() {
        return length == 4 ? size.subtract(BigInteger.TWO) : size.subtract(BigInteger.ONE);
    }

    private static byte[] bytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
