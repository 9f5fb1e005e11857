package io.csrflow.approver;

import java.security.Provider;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.approver.domain.AccessReview;
import io.csrflow.approver.domain.ApprovalPolicy;
import io.csrflow.approver.domain.Cidr;
import io.csrflow.approver.domain.NodeDirectory;
import io.csrflow.approver.domain.PolicySettings;
import io.csrflow.approver.domain.WorkloadDirectory;
import io.csrflow.pki.CryptoProviders;
import io.csrflow.pki.CsrVerifier;

/** Builds the policy from configuration once; a bad pattern or CIDR stops the start, naming the key. */
public class PolicyProducer {
    @Produces
    @Singleton
    Provider provider(ApproverConfig config) {
        return CryptoProviders.named(config.approver().cryptoProvider(), "csrflow.approver.crypto-provider");
    }

    @Produces
    @Singleton
    ApprovalPolicy policy(ApproverConfig config, CsrVerifier verifier, AccessReview accessReview, NodeDirectory nodes,
            WorkloadDirectory workloads, Clock clock) {
        return new ApprovalPolicy(settings(config.approver()), verifier, accessReview, nodes, workloads, clock);
    }

    static PolicySettings settings(ApproverConfig.Approver a) {
        ApproverConfig.KubeletServing s = a.kubeletServing();
        List<Cidr> ranges = s.ipRanges().orElse(List.of()).stream().map(c -> parse(
                "csrflow.approver.kubelet-serving.ip-ranges", c, Cidr::parse)).toList();
        List<Cidr> serviceCidrs = a.cluster().serviceCidrs().stream().map(c -> parse(
                "csrflow.approver.cluster.service-cidrs", c, Cidr::parse)).toList();
        return new PolicySettings(
                a.signerNames(),
                new PolicySettings.Cluster(a.cluster().domain(), serviceCidrs, a.cluster().reservedNames().orElse(List.of()),
                        a.cluster().reservedIpRanges().orElse(List.of()).stream().map(c -> parse(
                                "csrflow.approver.cluster.reserved-ip-ranges", c, Cidr::parse)).toList()),
                new PolicySettings.KubeletClient(a.kubeletClient().enabled(), a.kubeletClient().denyUnauthorized()),
                new PolicySettings.KubeletServing(s.enabled(), s.denyUnrecognized(),
                        s.dnsNamePattern().map(p -> parse("csrflow.approver.kubelet-serving.dns-name-pattern", p,
                                Pattern::compile)),
                        ranges, s.maxSans(), s.maxExpiration(), s.trustNodeReportedAddresses(), s.addressSettleTime()),
                new PolicySettings.ApiserverClient(a.apiserverClient().enabled(),
                        a.apiserverClient().rules().orElse(List.of()).stream().map(r -> new PolicySettings.SubjectRule(
                                r.name(), r.users().orElse(Set.of()), r.groups().orElse(Set.of()),
                                parse("csrflow.approver.apiserver-client.rules." + r.name() + ".common-name",
                                        r.commonName(), Pattern::compile),
                                r.organizations().orElse(Set.of()))).toList()),
                new PolicySettings.Workload(a.workload().enabled(), a.workload().signerNames(),
                        a.workload().endpointSliceManagers(), a.workload().shortNames(),
                        a.workload().requesterRules().orElse(List.of()).stream().map(PolicyProducer::requesterRule)
                                .toList()));
    }

    private static PolicySettings.RequesterRule requesterRule(ApproverConfig.RequesterRule r) {
        String key = "csrflow.approver.workload.requester-rules." + r.name();
        if (r.users().orElse(Set.of()).isEmpty() && r.groups().orElse(Set.of()).isEmpty()) {
            throw new IllegalArgumentException(key + ": names no users and no groups, so it would allow nobody");
        }
        return new PolicySettings.RequesterRule(r.name(), r.users().orElse(Set.of()), r.groups().orElse(Set.of()),
                r.dnsNames().map(p -> parse(key + ".dns-names", p, Pattern::compile)),
                r.ipRanges().orElse(List.of()).stream().map(c -> parse(key + ".ip-ranges", c, Cidr::parse)).toList());
    }

    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": invalid value '" + value + "': " + e.getMessage(), e);
        }
    }
}
