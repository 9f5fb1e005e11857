package io.csrflow.signer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The signer's configuration ({@code csrflow.*}). */
@ConfigMapping(prefix = "csrflow")
public interface SignerConfig {
    Topics topics();

    Signer signer();

    /** Topic names; the defaults are the contract's ({@link io.csrflow.events.Topics}). */
    interface Topics {
        @WithDefault(io.csrflow.events.Topics.OBSERVED)
        String observed();

        @WithDefault(io.csrflow.events.Topics.DECISIONS)
        String decisions();

        @WithDefault(io.csrflow.events.Topics.ISSUED)
        String issued();

        @WithDefault(io.csrflow.events.Topics.POD_CERTIFICATES_OBSERVED)
        String podCertificatesObserved();

        @WithDefault(io.csrflow.events.Topics.SIGNER_DEAD_LETTER)
        String deadLetter();
    }

    interface Signer {
        /**
         * One CA for the kubelet client, kubelet serving and kube-apiserver-client signers (as
         * kube-controller-manager's --cluster-signing-cert-file/key-file). Never legacy-unknown: that
         * signer is served only when configured by name, with its allowed usages.
         */
        Optional<CaFiles> ca();

        /**
         * Or one CA per signer. Kubernetes' signers are keyed by the part after {@code kubernetes.io/}
         * ({@code kube-apiserver-client-kubelet}, {@code kubelet-serving}, {@code kube-apiserver-client},
         * {@code legacy-unknown}; not together with {@link #ca()}); any other signer by its full name in
         * quotes ({@code csrflow.signer.signers."csrflow.io/workload-serving".cert-file}), always with a
         * CA and a {@code profile} of its own. A signer without CA files is not served.
         */
        Map<String, CaFiles> signers();

        /** Longest certificate lifetime (kube-controller-manager's --cluster-signing-duration). */
        @WithDefault("8760h")
        Duration maxDuration();

        /** How often CA files are checked for changes (CA rotation without a restart). */
        @WithDefault("10s")
        Duration reloadInterval();

        /**
         * JCA provider: auto (the native Amazon Corretto Crypto Provider where it loads, else
         * Bouncy Castle; the fastest by measurement, docs/performance.md), ACCP, BC or a
         * registered provider's name.
         */
        @WithDefault("auto")
        String cryptoProvider();

        /**
         * Signings of different CSRs that run at once (each CSR's in order): a signing waits on the
         * API for its write, so one at a time would be one certificate per round trip.
         */
        @WithDefault("8")
        int parallelism();

        /**
         * Signings held, running or waiting, before the signer stops taking records from Kafka; bounded as
         * the approver's, so that no record waits near the channel's 10-minute acknowledgement limit.
         */
        @WithDefault("32")
        int maxQueued();

        TrustBundle trustBundle();

        ClusterTrustBundles clusterTrustBundles();

        NamespaceBundles namespaceBundles();

        Announcements announcements();
    }

    /**
     * Late announcement of certificates whose {@code cert.issued} was lost (a signer stopped between
     * writing the certificate and publishing it), see {@code LostAnnouncements}.
     */
    interface Announcements {
        /**
         * How old a certificate must be before it is announced late: longer than a publish may take
         * (the producer gives up after 2 minutes), so that a signer still publishing is not raced.
         */
        @WithDefault("5m")
        Duration grace();

        /**
         * How far back {@code cert.issued} is read to know what was announced; older certificates
         * are never announced late. At most the topic's retention.
         */
        @WithDefault("24h")
        Duration window();
    }

    interface CaFiles {
        Path certFile();

        /** The CA's private key as a PEM file; or {@code pkcs11}, not both. */
        Optional<Path> keyFile();

        /** The CA's private key in a PKCS#11 token (an HSM); it never leaves the token. */
        Optional<Pkcs11> pkcs11();

        /**
         * The CA certificate that will replace this one: published in the trust bundle beside the
         * current one so that clients trust it before the signer switches to it.
         */
        Optional<Path> nextCertFile();

        /**
         * CA certificates this signer used before (files of one or more PEM certificates): kept in
         * the trust bundle, and recognised as this signer's, while anything they signed may still be
         * valid. A CA replaced while the signer runs is kept as well until its certificates have
         * expired, but only in memory: list it here before the next restart.
         */
        Optional<List<Path>> previousCertFiles();

        /**
         * For {@code legacy-unknown} only, and required there: the usages it may certify (that signer
         * has no rules of its own in Kubernetes, so it gets none from csrflow without an explicit profile).
         */
        Optional<Set<String>> allowedUsages();

        /** Required for a signer that is not one of Kubernetes' (and only there): what it may certify. */
        Optional<Profile> profile();

        /**
         * Whether this signer's CA bundle goes into the {@code csrflow-ca-bundle} ConfigMap of every
         * selected namespace; by default the signers that are not Kubernetes' (workloads trust those,
         * the kubernetes.io ones are for the cluster's own components).
         */
        Optional<Boolean> publishToNamespaces();

        /**
         * PodCertificateRequests (kubelet {@code podCertificate} volumes) answered for this signer, which
         * must not be one of Kubernetes'; absent, they are left to another signer.
         */
        Optional<PodCertificates> podCertificates();
    }

    /** How a signer answers PodCertificateRequests ({@code io.csrflow.signer.pods.PodCertificateSettings}). */
    interface PodCertificates {
        /** Who may have a certificate; at least one rule. */
        List<PodRule> allow();

        /** Key types it issues to; by default ECDSAP256, ECDSAP384, RSA3072, RSA4096. */
        Optional<List<String>> keyTypes();

        /** SPIFFE trust domain of the identity {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}; by default cluster.local. */
        Optional<String> trustDomain();

        /** Whether the names of the Services a pod backs go into its certificate; by default true. */
        Optional<Boolean> serviceNames();

        /** The cluster's DNS domain for those names; by default cluster.local. */
        Optional<String> clusterDomain();

        /** EndpointSlice managers whose slices are believed; by default endpointslice-controller.k8s.io. */
        Optional<Set<String>> endpointSliceManagers();

        /** DNS names never put in a pod certificate (as the approver's csrflow.approver.cluster.reserved-names). */
        Optional<Set<String>> reservedNames();
    }

    /** One allow-list entry: a pod matches when its namespace, service account and labels all do. */
    interface PodRule {
        /** Namespaces, or {@code *}; required. */
        List<String> namespaces();

        /** Service accounts, or {@code *}; by default {@code *}. */
        Optional<List<String>> serviceAccounts();

        /** A label selector in kubectl's form, e.g. {@code app=web}; by default every pod. */
        Optional<String> podSelector();
    }

    /**
     * A custom signer's profile ({@link io.csrflow.pki.SignerProfile}). No {@code @WithDefault} here: a
     * default inside an optional group makes SmallRye Config see the group, and its parent, as present
     * (then {@code csrflow.signer.ca} would be required); the defaults are applied where it is read.
     */
    interface Profile {
        /** {@code server} (digital signature, key encipherment, server auth), {@code client}, or both. */
        List<String> usages();

        /** SAN types it certifies: dns, ip, uri, email; by default dns and ip. */
        Optional<List<String>> sanTypes();

        /** At most this many SANs in one certificate; by default 100. */
        Optional<Integer> maxSans();

        /** Whether a non-empty CN must be one of the SANs; by default true. */
        Optional<Boolean> commonNameInSans();

        /** Longest lifetime of its certificates; by default {@code csrflow.signer.max-duration}. */
        Optional<Duration> maxDuration();
    }

    /** A CA key in a PKCS#11 token, loaded through Java's SunPKCS11 provider. */
    interface Pkcs11 {
        /** The token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
        Path library();

        /** The token's slot ID, as the module reports it (pkcs11-tool -L); or slot-list-index. */
        Optional<Long> slot();

        /** The token's position in the module's slot list; or slot. */
        Optional<Integer> slotListIndex();

        /** The label of the key and of its certificate stored with it on the token. */
        String keyLabel();

        /** A file holding the user PIN (mounted from a Secret). */
        Path pinFile();
    }

    interface TrustBundle {
        /** Publish each served signer's CA certificate in a ConfigMap. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("csrflow")
        String namespace();

        @WithDefault("csrflow-ca-bundles")
        String name();

        /**
         * How often the published ConfigMap is read back and, when it no longer holds exactly the signer's
         * CAs (an edit added or removed one, or put files in binaryData) or carries a record of replaced
         * CAs the signer refuses, written again. The rotation scheduler believes what it holds.
         */
        @WithDefault("30s")
        Duration resyncInterval();
    }

    /**
     * certificates.k8s.io/v1beta1 ClusterTrustBundles, one per served signer with spec.signerName set
     * (pods mount them with a clusterTrustBundle projected volume).
     */
    interface ClusterTrustBundles {
        @WithDefault("true")
        boolean enabled();
    }

    /**
     * The {@code csrflow-ca-bundle} ConfigMap in every selected namespace (as kube-controller-manager's
     * root-ca-cert-publisher writes kube-root-ca.crt): {@code <signer with '/' as '_'>.crt} per published
     * signer and {@code ca.crt}, all of them.
     */
    interface NamespaceBundles {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("csrflow-ca-bundle")
        String name();

        /**
         * Which namespaces get it: a label selector as kubectl takes it ({@code team=a,env in (prod,dev),!legacy});
         * empty, the default, selects every namespace.
         */
        Optional<String> namespaceSelector();
    }
}
