package io.csrflow.signer.pods;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.csrflow.pki.PodKeyType;

/**
 * How one signer answers PodCertificateRequests: who may have a certificate ({@link PodAllowRule}s,
 * at least one), which key types it issues to, the SPIFFE trust domain of the identity it writes, and
 * whether the names of the Services a pod backs go into its certificate (with the cluster domain
 * they are under, the EndpointSlice controllers whose slices are believed, and names never given).
 */
public record PodCertificateSettings(List<PodAllowRule> allow, Set<PodKeyType> keyTypes, String trustDomain,
                                     boolean serviceNames, String clusterDomain, Set<String> endpointSliceManagers,
                                     Set<String> reservedNames) {
    public static final Set<PodKeyType> DEFAULT_KEY_TYPES = Set.of(PodKeyType.ECDSAP256, PodKeyType.ECDSAP384,
            PodKeyType.RSA3072, PodKeyType.RSA4096);
    public static final String DEFAULT_DOMAIN = "cluster.local";
    public static final Set<String> DEFAULT_MANAGERS = Set.of("endpointslice-controller.k8s.io");

    public PodCertificateSettings {
        allow = List.copyOf(allow);
        keyTypes = Set.copyOf(keyTypes);
        endpointSliceManagers = Set.copyOf(endpointSliceManagers);
        reservedNames = reservedNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        clusterDomain = clusterDomain.toLowerCase(Locale.ROOT);
        if (!clusterDomain.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*")) {
            throw new IllegalArgumentException("cluster-domain: \"" + clusterDomain + "\" is not a DNS name");
        }
        if (allow.isEmpty()) {
            throw new IllegalArgumentException("allow: name at least one rule (allow[0].namespaces, "
                    + "allow[0].service-accounts, optionally allow[0].pod-selector): no pod is served by default");
        }
        if (keyTypes.isEmpty()) {
            throw new IllegalArgumentException("key-types: name at least one of " + List.of(PodKeyType.values()));
        }
        if (!trustDomain.matches("[a-z0-9]([-a-z0-9._]*[a-z0-9])?")) {
            throw new IllegalArgumentException("trust-domain: \"" + trustDomain + "\" is not a SPIFFE trust domain "
                    + "(lower-case letters, digits, '.', '-', '_')");
        }
    }

    /** The identity of a pod's certificate: {@code spiffe://<trust domain>/ns/<namespace>/sa/<service account>}. */
    public String spiffeId(String namespace, String serviceAccount) {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
}
