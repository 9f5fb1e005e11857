package io.csrflow.signer.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.csrflow.pki.KubeUsages;
import io.csrflow.pki.Pkcs11Settings;
import io.csrflow.pki.SignerNames;
import io.csrflow.pki.PodKeyType;
import io.csrflow.pki.SignerProfile;
import io.csrflow.signer.domain.NamespaceSelector;
import io.csrflow.signer.pods.PodAllowRule;
import io.csrflow.signer.pods.PodCertificateSettings;
import io.csrflow.signer.SignerConfig;

/**
 * Where one signer's CA comes from, checked when the service starts so that a wrong combination
 * stops it with the key to fix: a key file or a PKCS#11 token (exactly one), the next and previous
 * CA certificates, for legacy-unknown the usages it may certify (required, and only there), and for
 * a signer that is not Kubernetes' its profile (required, and only there).
 */
record CaSource(Path certFile, Optional<Path> keyFile, Optional<Pkcs11Settings> pkcs11, Optional<Path> nextCertFile,
                List<Path> previousCertFiles, Optional<Set<String>> allowedUsages, Optional<SignerProfile> profile,
                boolean publishToNamespaces, Optional<PodCertificateSettings> podCertificates) {

    /** A profile's defaults: serving names, as many SANs as the CSR limits allow by default. */
    private static final List<String> DEFAULT_SAN_TYPES = List.of("dns", "ip");
    private static final int DEFAULT_MAX_SANS = 100;

    static CaSource of(String signer, String key, SignerConfig.CaFiles files, Duration maxDuration) {
        if (files.keyFile().isPresent() == files.pkcs11().isPresent()) {
            throw new IllegalArgumentException(key + ": set exactly one of key-file (a PEM key) and pkcs11.* (a key "
                    + "in a PKCS#11 token)");
        }
        boolean legacy = SignerNames.LEGACY_UNKNOWN.equals(signer);
        boolean kubernetes = SignerNames.isKubernetes(signer);
        if (legacy && files.allowedUsages().isEmpty()) {
            throw new IllegalArgumentException(key + ".allowed-usages is required: kubernetes.io/legacy-unknown has no "
                    + "rules of its own, so it signs only the usages an operator lists");
        }
        if (!legacy && files.allowedUsages().isPresent()) {
            throw new IllegalArgumentException(key + ".allowed-usages applies to legacy-unknown only; " + signer
                    + (kubernetes ? " has Kubernetes' own rules" : " takes profile.usages"));
        }
        if (!kubernetes && files.profile().isEmpty()) {
            throw new IllegalArgumentException(key + ".profile.usages is required: a signer that is not one of "
                    + "Kubernetes' has no rules of its own, so it signs only what its profile allows (server, client)");
        }
        if (kubernetes && files.profile().isPresent()) {
            throw new IllegalArgumentException(key + ".profile applies to signers that are not Kubernetes' only; "
                    + signer + (legacy ? " takes allowed-usages" : " has Kubernetes' own rules"));
        }
        Optional<SignerProfile> profile = files.profile().map(p -> {
            try {
                return SignerProfile.of(p.usages(), p.sanTypes().orElse(DEFAULT_SAN_TYPES),
                        p.maxSans().orElse(DEFAULT_MAX_SANS), p.commonNameInSans().orElse(true),
                        p.maxDuration().orElse(maxDuration));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ".profile." + e.getMessage(), e);
            }
        });
        files.allowedUsages().ifPresent(usages -> {
            try {
                KubeUsages.map(List.copyOf(usages));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ".allowed-usages: " + e.getMessage(), e);
            }
        });
        if (kubernetes && files.podCertificates().isPresent()) {
            throw new IllegalArgumentException(key + ".pod-certificates applies to signers that are not Kubernetes' "
                    + "only; the kubernetes.io pod signers are reserved to the Kubernetes project");
        }
        Optional<PodCertificateSettings> pods = files.podCertificates().map(p -> podCertificates(key, p));
        return new CaSource(files.certFile(), files.keyFile(), files.pkcs11().map(p -> pkcs11(key, p)),
                files.nextCertFile(), files.previousCertFiles().orElse(List.of()), files.allowedUsages().map(Set::copyOf),
                profile, files.publishToNamespaces().orElse(!kubernetes), pods);
    }

    private static PodCertificateSettings podCertificates(String key, SignerConfig.PodCertificates p) {
        String at = key + ".pod-certificates.";
        List<PodAllowRule> rules = new ArrayList<>();
        for (int i = 0; i < p.allow().size(); i++) {
            SignerConfig.PodRule rule = p.allow().get(i);
            try {
                String selector = rule.podSelector().orElse("");
                rules.add(new PodAllowRule(Set.copyOf(rule.namespaces()),
                        Set.copyOf(rule.serviceAccounts().orElse(List.of(PodAllowRule.ANY))),
                        NamespaceSelector.parse(selector), selector.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + "allow[" + i + "]." + e.getMessage(), e);
            }
        }
        Set<PodKeyType> keyTypes = new HashSet<>();
        for (String name : p.keyTypes().orElse(List.of())) {
            keyTypes.add(PodKeyType.named(name).orElseThrow(() -> new IllegalArgumentException(at + "key-types: "
                    + "unknown key type \"" + name + "\"; use " + List.of(PodKeyType.values()))));
        }
        try {
            return new PodCertificateSettings(rules, p.keyTypes().isPresent() ? keyTypes
                    : PodCertificateSettings.DEFAULT_KEY_TYPES, p.trustDomain().orElse(PodCertificateSettings.DEFAULT_DOMAIN),
                    p.serviceNames().orElse(true), p.clusterDomain().orElse(PodCertificateSettings.DEFAULT_DOMAIN),
                    p.endpointSliceManagers().orElse(PodCertificateSettings.DEFAULT_MANAGERS),
                    p.reservedNames().orElse(Set.of()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + e.getMessage(), e);
        }
    }

    private static Pkcs11Settings pkcs11(String key, SignerConfig.Pkcs11 p) {
        if (p.slot().isPresent() == p.slotListIndex().isPresent()) {
            throw new IllegalArgumentException(key + ".pkcs11: set exactly one of slot and slot-list-index");
        }
        Pkcs11Settings.TokenSlot slot = p.slot().isPresent() ? new Pkcs11Settings.SlotId(p.slot().get())
                : new Pkcs11Settings.SlotListIndex(p.slotListIndex().get());
        return new Pkcs11Settings(p.library(), slot, p.keyLabel(), p.pinFile());
    }

    /** Changes when any of the files changes: modification time and content of each. */
    String stamp() {
        List<Path> files = new ArrayList<>(List.of(certFile));
        keyFile.ifPresent(files::add);
        pkcs11.ifPresent(p -> files.add(p.pinFile()));
        nextCertFile.ifPresent(files::add);
        files.addAll(previousCertFiles);
        StringBuilder stamp = new StringBuilder();
        for (Path file : files) {
            try {
                stamp.append(Files.getLastModifiedTime(file)).append('/').append(Files.readString(file).hashCode())
                        .append('|');
            } catch (IOException e) {
                stamp.append("unreadable|");
            }
        }
        return stamp.toString();
    }
}
