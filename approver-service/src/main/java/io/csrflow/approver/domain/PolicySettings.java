package io.csrflow.approver.domain;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.KeyPolicy;

/** Every knob of the approval policy, as plain values. */
public record PolicySettings(
        Set<String> signerNames,
        CsrLimits limits,
        KeyPolicy keys,
        KubeletClient kubeletClient,
        KubeletServing kubeletServing,
        ApiserverClient apiserverClient) {

    /** Kubelet client certificates: approve on SubjectAccessReview; deny instead of waiting when configured. */
    public record KubeletClient(boolean enabled, boolean denyUnauthorized) {
    }

    /**
     * Kubelet serving certificates: every SAN must be an address of the Node; optional extra bounds.
     * {@code denyUnrecognized}: a kubelet-serving CSR of the wrong shape is denied, not left pending.
     */
    public record KubeletServing(boolean enabled, boolean denyUnrecognized, Optional<Pattern> dnsNamePattern,
                                 List<Cidr> ipRanges, Optional<Integer> maxSans, Optional<Duration> maxExpiration) {
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
