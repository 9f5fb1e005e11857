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

    interface Topics {
        @WithDefault("csrflow.csr.observed")
        String observed();

        @WithDefault("csrflow.csr.decisions")
        String decisions();
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

        Limits limits();

        Keys keys();

        KubeletClient kubeletClient();

        KubeletServing kubeletServing();

        ApiserverClient apiserverClient();

        Retry retry();
    }

    interface Limits {
        @WithDefault("65536")
        int maxRequestBytes();

        @WithDefault("100")
        int maxSans();

        @WithDefault("24")
        int maxAsn1Depth();
    }

    interface Keys {
        @WithDefault("RSA,EC")
        Set<String> algorithms();

        @WithDefault("2048")
        int rsaMinBits();

        @WithDefault("8192")
        int rsaMaxBits();

        @WithDefault("65537")
        Set<Long> rsaExponents();

        @WithDefault("P-256,P-384")
        Set<String> ecCurves();
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

    interface Retry {
        /** First pause before asking again about a CSR left pending (no Node yet, SAR said no). */
        @WithDefault("1s")
        Duration initial();

        /** Longest pause; pauses double up to it. */
        @WithDefault("5m")
        Duration max();
    }
}
