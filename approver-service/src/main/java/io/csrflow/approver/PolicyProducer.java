package io.csrflow.approver;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.csrflow.approver.domain.AccessReview;
import io.csrflow.approver.domain.ApprovalPolicy;
import io.csrflow.approver.domain.Cidr;
import io.csrflow.approver.domain.NodeAddresses;
import io.csrflow.approver.domain.PolicySettings;
import io.csrflow.pki.CryptoProviders;
import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.KeyPolicy;

/** Builds the policy from configuration once; a bad pattern or CIDR stops the start, naming the key. */
public class PolicyProducer {
    @Produces
    @Singleton
    ApprovalPolicy policy(ApproverConfig config, AccessReview accessReview, NodeAddresses nodes) {
        ApproverConfig.Approver a = config.approver();
        return new ApprovalPolicy(settings(a), new CsrParser(limits(a.limits()), CryptoProviders.named(a.cryptoProvider(), "csrflow.approver.crypto-provider")),
                accessReview, nodes);
    }

    static PolicySettings settings(ApproverConfig.Approver a) {
        ApproverConfig.KubeletServing s = a.kubeletServing();
        List<Cidr> ranges = s.ipRanges().orElse(List.of()).stream().map(c -> parse(
                "csrflow.approver.kubelet-serving.ip-ranges", c, Cidr::parse)).toList();
        return new PolicySettings(
                a.signerNames(),
                limits(a.limits()),
                new KeyPolicy(a.keys().algorithms(), a.keys().rsaMinBits(), a.keys().rsaMaxBits(),
                        a.keys().rsaExponents().stream().map(BigInteger::valueOf).collect(Collectors.toSet()),
                        a.keys().ecCurves()),
                new PolicySettings.KubeletClient(a.kubeletClient().enabled(), a.kubeletClient().denyUnauthorized()),
                new PolicySettings.KubeletServing(s.enabled(), s.denyUnrecognized(),
                        s.dnsNamePattern().map(p -> parse("csrflow.approver.kubelet-serving.dns-name-pattern", p,
                                Pattern::compile)),
                        ranges, s.maxSans(), s.maxExpiration()),
                new PolicySettings.ApiserverClient(a.apiserverClient().enabled(),
                        a.apiserverClient().rules().orElse(List.of()).stream().map(r -> new PolicySettings.SubjectRule(
                                r.name(), r.users().orElse(Set.of()), r.groups().orElse(Set.of()),
                                parse("csrflow.approver.apiserver-client.rules." + r.name() + ".common-name",
                                        r.commonName(), Pattern::compile),
                                r.organizations().orElse(Set.of()))).toList()));
    }

    private static CsrLimits limits(ApproverConfig.Limits l) {
        return new CsrLimits(l.maxRequestBytes(), l.maxSans(), l.maxAsn1Depth());
    }


    private static <T> T parse(String key, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": invalid value '" + value + "': " + e.getMessage(), e);
        }
    }
}
