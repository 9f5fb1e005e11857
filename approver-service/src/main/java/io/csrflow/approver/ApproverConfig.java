package io.csrflow.approver;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The approver's configuration ({@code csrflow.*}), from application properties or a mounted YAML
 * file ({@code QUARKUS_CONFIG_LOCATIONS=/etc/csrflow/approver.yaml}); see the README's reference.
 */
@ConfigMapping(prefix = "csrflow")
public interface ApproverConfig {
    Topics topics();

    Approver approver();

    /** Topic names; the defaults are the contract's ({@link io.csrflow.events.Topics}). */
    interface Topics {
        @WithDefault(io.csrflow.events.Topics.OBSERVED)
        String observed();

        @WithDefault(io.csrflow.events.Topics.DECISIONS)
        String decisions();

        @WithDefault(io.csrflow.events.Topics.APPROVER_DEAD_LETTER)
        String deadLetter();
    }

    interface Approver {
        /** Signer names the approver decides for; CSRs of other signers are left alone. */
        @WithDefault("kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/kube-apiserver-client")
        Set<String> signerNames();

        /**
         * JCA provider for CSR signatures: auto (the native Amazon Corretto Crypto Provider where
         * it loads, else Bouncy Castle; the fastest by measurement, docs/performance.md), ACCP, BC
         * or a registered provider's name.
         */
        @WithDefault("auto")
        String cryptoProvider();

        /** Namespace of the Kubernetes Events recorded on CSRs (CSRs themselves are cluster-wide). */
        @WithDefault("default")
        String eventNamespace();

        /**
         * Reviews of different CSRs that run at once (each CSR's in order): a review mostly waits on
         * the API, so throughput is about this many reviews per API round trip.
         */
        @WithDefault("16")
        int parallelism();

        /**
         * Reviews held, running or waiting, before the approver stops taking records from Kafka. Bounded
         * so that a record waits at most a few review times for its acknowledgement even when every
         * review waits on an absent broker (the channel's unprocessed-record-max-age is 10 minutes).
         */
        @WithDefault("64")
        int maxQueued();

        Cluster cluster();

        KubeletClient kubeletClient();

        KubeletServing kubeletServing();

        ApiserverClient apiserverClient();

        Workload workload();

        Retry retry();
    }

    /** Facts about the cluster that no node may claim as its own address. */
    interface Cluster {
        /** The cluster's DNS domain (kubelet --cluster-domain): the API server's and Services' names live under it. */
        @WithDefault("cluster.local")
        String domain();

        /**
         * The Service CIDRs (kube-apiserver --service-cluster-ip-range); the default is kubeadm's. A
         * cluster IP is never a node's address.
         */
        @WithDefault("10.96.0.0/12")
        List<String> serviceCidrs();

        /**
         * Names no node may have certified besides the API server's in-cluster ones: its external name,
         * say (api.mycluster.example); one starting with a dot reserves every name under it.
         */
        Optional<List<String>> reservedNames();

        /** Addresses no node may have certified: the API server's load-balancer address, say. */
        Optional<List<String>> reservedIpRanges();
    }

    interface KubeletClient {
        @WithDefault("true")
        boolean enabled();

        /** Deny, rather than leave pending, a kubelet client CSR whose SubjectAccessReview says no. */
        @WithDefault("false")
        boolean denyUnauthorized();
    }

    interface KubeletServing {
        @WithDefault("true")
        boolean enabled();

        /** Deny, rather than leave pending, a kubelet-serving CSR of the wrong shape. */
        @WithDefault("true")
        boolean denyUnrecognized();

        /** Every DNS SAN must match this regular expression. */
        Optional<String> dnsNamePattern();

        /** Every IP SAN must lie in one of these CIDRs. */
        Optional<List<String>> ipRanges();

        Optional<Integer> maxSans();

        /** spec.expirationSeconds must be set and at most this long. */
        Optional<Duration> maxExpiration();

        /**
         * Approve SANs of a type that neither dns-name-pattern nor ip-ranges bounds, on the Node's own
         * word (its status.addresses, which the node writes itself). Off: such CSRs are left to an
         * administrator. Every other check applies either way.
         */
        @WithDefault("false")
        boolean trustNodeReportedAddresses();

        /**
         * How long an address a Node adds after it registered must be listed before it is certified:
         * time for an operator or a controller to notice a node claiming what is not its own.
         */
        @WithDefault("5m")
        Duration addressSettleTime();
    }

    interface ApiserverClient {
        @WithDefault("true")
        boolean enabled();

        /** Who may get which subject; with none, every such CSR waits for an administrator. */
        Optional<List<SubjectRule>> rules();
    }

    interface SubjectRule {
        String name();

        Optional<Set<String>> users();

        Optional<Set<String>> groups();

        /** Regular expression the subject CN must match. */
        String commonName();

        /** Organisations the subject may carry (none when absent). */
        Optional<Set<String>> organizations();
    }

    /** Workload serving certificates: a ServiceAccount gets the names and IPs of its Services and Pods. */
    interface Workload {
        @WithDefault("true")
        boolean enabled();

        /**
         * Signer names the workload rule decides for (added to signer-names); csrflow's own workload
         * signer by default. Each needs approve on signers in RBAC.
         */
        @WithDefault("csrflow.io/workload-serving")
        Set<String> signerNames();

        /**
         * Controllers whose EndpointSlices say which pods a Service selects
         * (endpointslice.kubernetes.io/managed-by). Anyone allowed to write EndpointSlices could
         * otherwise point a Service at their own pods; a Service with a slice of another manager
         * is refused.
         */
        @WithDefault("endpointslice-controller.k8s.io")
        Set<String> endpointSliceManagers();

        /**
         * Whether a Service's short names ({@code svc} and {@code svc.<namespace>}) are certified besides
         * {@code svc.<namespace>.svc[.<cluster-domain>]}. A short name means a different Service in each
         * namespace that resolves it ({@code kafka}), or a name outside the cluster when a namespace is
         * named like a domain ({@code vault.corp}), and every namespace trusts the same CA: off by
         * default, so that one namespace's certificate never answers for another's Service; turn them
         * on only where every namespace trusts every other.
         */
        @WithDefault("false")
        boolean shortNames();

        /**
         * An administrator's rules for requesters that are not ServiceAccounts (people, controllers
         * with client certificates): with none, their CSRs wait for a human.
         */
        Optional<List<RequesterRule>> requesterRules();
    }

    interface RequesterRule {
        String name();

        Optional<Set<String>> users();

        Optional<Set<String>> groups();

        /** Regular expression every DNS SAN must match (none: no DNS SAN allowed). */
        Optional<String> dnsNames();

        /** CIDRs every IP SAN must lie in (none: no IP SAN allowed). */
        Optional<List<String>> ipRanges();
    }

    interface Retry {
        /** First pause before asking again about a CSR left pending (no Node yet, SAR said no). */
        @WithDefault("1s")
        Duration initial();

        /** Longest pause; pauses double up to it. */
        @WithDefault("5m")
        Duration max();
    }
}
