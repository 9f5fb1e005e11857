package io.csrflow.approver.domain;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Every knob of the approval policy, as plain values. */
public record PolicySettings(
        Set<String> signerNames,
        Cluster cluster,
        KubeletClient kubeletClient,
        KubeletServing kubeletServing,
        ApiserverClient apiserverClient,
        Workload workload) {

    /**
     * Facts about the cluster that no node may claim: its DNS domain (the API server's names and the
     * Service and Pod names live under it), the Service CIDRs (a Service's cluster IP is not a node's),
     * and the operator's own list of names and ranges no node may have (the API server's external
     * name and load-balancer address, say); a name starting with a dot reserves every name under it.
     */
    public record Cluster(String domain, List<Cidr> serviceCidrs, List<String> reservedNames,
                          List<Cidr> reservedIpRanges) {
    }

    /** Kubelet client certificates: approve on SubjectAccessReview; deny instead of waiting when configured. */
    public record KubeletClient(boolean enabled, boolean denyUnauthorized) {
    }

    /**
     * Kubelet serving certificates: every SAN must be an address of the requesting Node of the
     * matching type, owned by no other Node, not reserved, settled, and within the bounds.
     * {@code denyUnrecognized}: a kubelet-serving CSR of the wrong shape is denied, not left pending.
     * {@code trustNodeReportedAddresses}: the operator accepts SANs of a type that no bound
     * ({@code dnsNamePattern}, {@code ipRanges}) covers; without it such a CSR is left to an administrator.
     * {@code addressSettleTime}: how long an address added to a registered Node waits before it is certified.
     */
    public record KubeletServing(boolean enabled, boolean denyUnrecognized, Optional<Pattern> dnsNamePattern,
                                 List<Cidr> ipRanges, Optional<Integer> maxSans, Optional<Duration> maxExpiration,
                                 boolean trustNodeReportedAddresses, Duration addressSettleTime) {
    }

    /**
     * Workload serving certificates for {@code signerNames}: a ServiceAccount gets the names and IPs of
     * its Services and Pods. {@code endpointSliceManagers}: the controllers whose EndpointSlices are
     * believed ({@code endpointslice.kubernetes.io/managed-by}); a Service with another's slice is refused.
     */
    public record Workload(boolean enabled, Set<String> signerNames, Set<String> endpointSliceManagers,
                           boolean shortNames, List<RequesterRule> requesterRules) {
        public Workload {
            signerNames = Set.copyOf(signerNames);
            endpointSliceManagers = Set.copyOf(endpointSliceManagers);
            requesterRules = List.copyOf(requesterRules);
        }

        public Workload(boolean enabled, Set<String> signerNames, Set<String> endpointSliceManagers,
                boolean shortNames) {
            this(enabled, signerNames, endpointSliceManagers, shortNames, List.of());
        }
    }

    /**
     * An administrator's rule for requesters that are not ServiceAccounts ({@code users}, or members of
     * {@code groups}): a serving certificate whose every DNS SAN matches {@code dnsNames} and every IP
     * SAN lies in one of {@code ipRanges}.
     */
    public record RequesterRule(String name, Set<String> users, Set<String> groups, Optional<Pattern> dnsNames,
                                List<Cidr> ipRanges) {
        public RequesterRule {
            users = Set.copyOf(users);
            groups = Set.copyOf(groups);
            ipRanges = List.copyOf(ipRanges);
        }
    }

    /** kube-apiserver-client: approved only when one of the rules allows the requester the subject. */
    public record ApiserverClient(boolean enabled, List<SubjectRule> rules) {
    }

    /**
     * Requesters ({@code users} or members of {@code groups}) allowed a subject whose CN matches
     * {@code commonName} and whose organisations are all in {@code organizations}.
     */
    public record SubjectRule(String name, Set<String> users, Set<String> groups, Pattern commonName,
                              Set<String> organizations) {
    }
}
