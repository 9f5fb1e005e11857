package io.csrflow.signer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The signer's configuration ({@code csrflow.*}). */
@ConfigMapping(prefix = "csrflow")
public interface SignerConfig {
    Topics topics();

    Signer signer();

    interface Topics {
        @WithDefault("csrflow.cert.issued")
        String issued();
    }

    interface Signer {
        /** One CA for every signer name (as kube-controller-manager's --cluster-signing-cert-file/key-file). */
        Optional<CaFiles> ca();

        /**
         * Or one CA per signer, keyed by the part after {@code kubernetes.io/}:
         * {@code kube-apiserver-client-kubelet}, {@code kubelet-serving}, {@code kube-apiserver-client},
         * {@code legacy-unknown}. Not both. A signer without CA files is not served.
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

        TrustBundle trustBundle();

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

        Path keyFile();

        /**
         * The CA certificate that will replace this one: published in the trust bundle beside the
         * current one so that clients trust it before the signer switches to it.
         */
        Optional<Path> nextCertFile();
    }

    interface TrustBundle {
        /** Publish each served signer's CA certificate in a ConfigMap. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("csrflow")
        String namespace();

        @WithDefault("csrflow-ca-bundles")
        String name();
    }
}
