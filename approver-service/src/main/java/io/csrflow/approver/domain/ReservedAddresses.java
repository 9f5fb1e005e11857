package io.csrflow.approver.domain;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Names and IPs no node may have certified whatever it lists in its status: wildcards, IP literals
 * written as DNS names, the API server's names and the Service and Pod names of the cluster domain,
 * loopback, unspecified, link-local, multicast and broadcast IPs, and the Service CIDRs. A node that
 * lists one of these is lying or misconfigured, and a certificate for it would let the node
 * impersonate the API server, a Service or the host itself.
 */
final class ReservedAddresses {
    private final String domain;
    private final Set<String> apiServerNames;
    private final PolicySettings.Cluster cluster;

    ReservedAddresses(PolicySettings.Cluster cluster) {
        this.cluster = cluster;
        this.domain = NodeAddressForms.canonical(cluster.domain());
        this.apiServerNames = Set.of("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc." + domain);
    }

    /** Why this DNS SAN is reserved for a node, or empty. */
    Optional<String> dnsName(String name) {
        return dnsName(name, true);
    }

    /**
     * Why this DNS SAN is reserved for a workload, or empty: a node's reserved names except the
     * Service and Pod names of the cluster domain, which are what a workload's certificate is for
     * (whether they are the requester's is the workload rule's question).
     */
    Optional<String> workloadDnsName(String name) {
        return dnsName(name, false);
    }

    private Optional<String> dnsName(String name, boolean clusterNamesReserved) {
        if (name.contains("*")) {
            return Optional.of("a wildcard");
        }
        // Judged in the form the name is matched in later: "10.0.0.1." is 10.0.0.1 once its dot goes.
        String canonical = NodeAddressForms.canonical(name);
        if (IpLiteral.parse(canonical).isPresent()) {
            return Optional.of("an IP address written as a DNS name");
        }
        if (apiServerNames.contains(canonical)) {
            return Optional.of("a name of the API server");
        }
        if (clusterNamesReserved && (canonical.endsWith(".svc") || canonical.endsWith(".svc." + domain)
                || canonical.endsWith(".pod." + domain) || canonical.equals(domain) || canonical.equals("svc." + domain)
                || canonical.equals("pod." + domain))) {
            return Optional.of("a Service or Pod name of the cluster domain " + domain);
        }
        if (canonical.equals("localhost") || canonical.endsWith(".localhost")) {
            return Optional.of("a loopback name");
        }
        for (String reserved : cluster.reservedNames()) {
            String form = reserved.startsWith(".") ? reserved.toLowerCase(Locale.ROOT) : NodeAddressForms.canonical(reserved);
            if (reserved.startsWith(".") ? canonical.endsWith(form) : canonical.equals(form)) {
                return Optional.of("reserved by csrflow.approver.cluster.reserved-names (" + reserved + ")");
            }
        }
        return Optional.empty();
    }

    /** Why this IP SAN is reserved for a node, or empty. */
    Optional<String> ipAddress(InetAddress ip) {
        Optional<String> never = neverCertified(ip);
        if (never.isPresent()) {
            return never;
        }
        for (Cidr cidr : cluster.serviceCidrs()) {
            if (cidr.contains(ip)) {
                return Optional.of("inside the Service CIDR " + cidr);
            }
        }
        return reservedRange(ip);
    }

    /**
     * Why this IP SAN is reserved for a workload, or empty: a cluster IP may be a workload's (when its
     * Service's pods are), except the first address of each Service CIDR, which the API server's own
     * Service {@code kubernetes.default} holds.
     */
    Optional<String> workloadIpAddress(InetAddress ip) {
        Optional<String> never = neverCertified(ip);
        if (never.isPresent()) {
            return never;
        }
        for (Cidr cidr : cluster.serviceCidrs()) {
            if (cidr.firstAddress().equals(ip)) {
                return Optional.of("the first address of the Service CIDR " + cidr + ", the API server's Service");
            }
        }
        return reservedRange(ip);
    }

    boolean insideServiceCidr(InetAddress ip) {
        return cluster.serviceCidrs().stream().anyMatch(c -> c.contains(ip));
    }

    private Optional<String> neverCertified(InetAddress ip) {
        if (ip.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (ip.isAnyLocalAddress()) {
            return Optional.of("the unspecified address");
        }
        if (ip.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (ip.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        if (ip instanceof Inet4Address && ip.getHostAddress().equals("255.255.255.255")) {
            return Optional.of("the broadcast address");
        }
        return Optional.empty();
    }

    private Optional<String> reservedRange(InetAddress ip) {
        for (Cidr cidr : cluster.reservedIpRanges()) {
            if (cidr.contains(ip)) {
                return Optional.of("inside " + cidr + ", reserved by csrflow.approver.cluster.reserved-ip-ranges");
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ReservedAddresses[" + cluster + "]";
    }
}
