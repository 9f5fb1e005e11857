package io.csrflow.signer.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.pki.SignerProfile;
import io.csrflow.signer.SignerConfig;

/** A configuration that would serve the wrong signer, or one without rules, stops the start naming its key. */
class SignerConfigurationTest {
    private static final Duration MAX = Duration.ofHours(8760);

    /** One signer's settings as the configuration gives them. */
    private record Files(Optional<SignerConfig.Profile> profile, Optional<Set<String>> allowedUsages)
            implements SignerConfig.CaFiles {
        @Override
        public Path certFile() {
            return Path.of("/ca/tls.crt");
        }

        @Override
        public Optional<Path> keyFile() {
            return Optional.of(Path.of("/ca/tls.key"));
        }

        @Override
        public Optional<SignerConfig.Pkcs11> pkcs11() {
            return Optional.empty();
        }

        @Override
        public Optional<Path> nextCertFile() {
            return Optional.empty();
        }

        @Override
        public Optional<List<Path>> previousCertFiles() {
            return Optional.empty();
        }

        @Override
        public Optional<Boolean> publishToNamespaces() {
            return Optional.empty();
        }

        @Override
        public Optional<SignerConfig.PodCertificates> podCertificates() {
            return Optional.empty();
        }
    }

    private record Profile(List<String> usages, Optional<List<String>> sanTypes) implements SignerConfig.Profile {
        @Override
        public Optional<Integer> maxSans() {
            return Optional.empty();
        }

        @Override
        public Optional<Boolean> commonNameInSans() {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> maxDuration() {
            return Optional.empty();
        }
    }

    private static Files withProfile(String usages, String sanTypes) {
        return new Files(Optional.of(new Profile(List.of(usages.split(",")), Optional.ofNullable(sanTypes)
                .map(s -> List.of(s.split(","))))), Optional.empty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        kubelet-serving                     | kubernetes.io/kubelet-serving
        kubernetes.io/kubelet-serving       | kubernetes.io/kubelet-serving
        legacy-unknown                      | kubernetes.io/legacy-unknown
        csrflow.io/workload-serving         | csrflow.io/workload-serving
        """)
    void aKeyNamesKubernetesSignersShortAndOthersInFull(String key, String signer) {
        assertEquals(signer, CaRegistry.signerName(key));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        kubelet                             | csrflow.signer.signers.kubelet: unknown signer; Kubernetes defines
        kubernetes.io/kube-apiserver-serving | csrflow.signer.signers."kubernetes.io/kube-apiserver-serving": unknown signer
        example.com/a/b                     | csrflow.signer.signers."example.com/a/b": not a signer name: must be a fully qualified domain
        localhost/serving                   | csrflow.signer.signers."localhost/serving": not a signer name: the domain needs at least two labels
        """)
    void aKeyThatIsNoSignerStopsTheStart(String key, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CaRegistry.signerName(key));
        assertTrue(refused.getMessage().startsWith(message), refused.getMessage());
    }

    @Test
    void aSignerOfOnesOwnWithoutAProfileStopsTheStart() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CaSource.of(
                "example.com/serving", "csrflow.signer.signers.\"example.com/serving\"",
                new Files(Optional.empty(), Optional.empty()), MAX));
        assertTrue(refused.getMessage().startsWith("csrflow.signer.signers.\"example.com/serving\".profile.usages is "
                + "required"), refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        peer          | -        | csrflow.signer.signers."example.com/serving".profile.usages: unknown value "peer"
        server        | dns,fqdn | csrflow.signer.signers."example.com/serving".profile.san-types: unknown value "fqdn"
        """)
    void aProfileWithAnUnknownValueStopsTheStartNamingTheKey(String usages, String sanTypes, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CaSource.of(
                "example.com/serving", "csrflow.signer.signers.\"example.com/serving\"", withProfile(usages, sanTypes),
                MAX));
        assertTrue(refused.getMessage().startsWith(message), refused.getMessage());
    }

    @Test
    void aProfileOnAKubernetesSignerStopsTheStart() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CaSource.of(
                "kubernetes.io/kubelet-serving", "csrflow.signer.signers.kubelet-serving", withProfile("server", null),
                MAX));
        assertTrue(refused.getMessage().contains("has Kubernetes' own rules"), refused.getMessage());
    }

    @Test
    void aSignerOfOnesOwnGetsItsProfileWithDefaultsAndIsPublishedToNamespaces() {
        CaSource source = CaSource.of("example.com/serving", "k", withProfile("server,client", null), MAX);
        SignerProfile profile = source.profile().orElseThrow();
        assertEquals(Set.of(SignerProfile.SanType.DNS, SignerProfile.SanType.IP), profile.sanTypes());
        assertEquals(Set.of(SignerProfile.Kind.SERVER, SignerProfile.Kind.CLIENT), profile.kinds());
        assertEquals(MAX, profile.maxDuration());
        assertTrue(source.publishToNamespaces());
        assertTrue(!CaSource.of("kubernetes.io/kubelet-serving", "k", new Files(Optional.empty(), Optional.empty()), MAX)
                .publishToNamespaces(), "Kubernetes' signers are the cluster's own");
    }

    @Test
    void aSignerOfOnesOwnOnTheKeyOfAKubernetesSignersCaStopsTheStart(@TempDir Path dir) throws Exception {
        java.time.Instant now = java.time.Instant.now();
        java.security.cert.X509Certificate clusterCa = io.csrflow.pki.Pem.certificates(java.nio.file.Files.readString(
                io.csrflow.testsupport.TestCa.create(dir.resolve("cluster"), "cluster", now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(30))).certFile())).get(0);
        java.security.cert.X509Certificate ownCa = io.csrflow.pki.Pem.certificates(java.nio.file.Files.readString(
                io.csrflow.testsupport.TestCa.create(dir.resolve("own"), "own", now.minus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(30))).certFile())).get(0);

        assertEquals(Optional.of("the CA of csrflow.io/workload-serving has the key of the CA of "
                + "kubernetes.io/kube-apiserver-client-kubelet: give every signer of your own a CA of its own, so that "
                + "its certificates never chain to a CA the cluster trusts for other purposes"),
                CaRegistry.customSignerOnKubernetesKey(java.util.Map.of("kubernetes.io/kube-apiserver-client-kubelet",
                        clusterCa, "csrflow.io/workload-serving", clusterCa)));
        assertEquals(Optional.empty(), CaRegistry.customSignerOnKubernetesKey(java.util.Map.of(
                "kubernetes.io/kube-apiserver-client-kubelet", clusterCa, "csrflow.io/workload-serving", ownCa)));
        // Kubernetes' own signers may share one CA (kube-controller-manager's default).
        assertEquals(Optional.empty(), CaRegistry.customSignerOnKubernetesKey(java.util.Map.of(
                "kubernetes.io/kube-apiserver-client-kubelet", clusterCa, "kubernetes.io/kube-apiserver-client", clusterCa)));
    }
}
