package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.csrflow.pki.Recognition;
import io.csrflow.pki.Recognizers;
import io.csrflow.pki.SignerNames;
import io.csrflow.pki.SubjectAltNames;

/**
 * Kubelet serving certificates, which kube-controller-manager never approves because their SANs
 * are self-reported. Approved only when the Node named by the CN exists and every DNS and IP SAN is
 * one of that Node's addresses, within the optional bounds. A Node not registered yet is asked again
 * later: kubelets request serving certificates right after registering.
 */
final class KubeletServingRule implements ApprovalRule {
    static final String NAME = "kubelet-serving";
    static final String APPROVED_MESSAGE = "Auto approving kubelet serving certificate after checking node addresses.";

    private final PolicySettings.KubeletServing settings;
    private final NodeAddresses nodes;

    KubeletServingRule(PolicySettings.KubeletServing settings, NodeAddresses nodes) {
        this.settings = settings;
        this.nodes = nodes;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        if (!settings.enabled() || !SignerNames.KUBELET_SERVING.equals(review.csr().signerName())) {
            return Optional.empty();
        }
        Recognition recognition = Recognizers.kubeletServing(review.recognizerRequest());
        review.addAll(recognition.checks());
        if (!recognition.recognized()) {
            String message = "not a valid kubelet serving CSR: " + recognition.firstFailure().name() + ": "
                    + recognition.firstFailure().detail();
            return Optional.of(settings.denyUnrecognized()
                    ? Decision.denied(NAME, "InvalidServingRequest", message, review.checks())
                    : Decision.noOpinion(NAME, "NotRecognized", message, review.checks(), false));
        }
        SubjectAltNames sans = review.parsed().sans();
        Optional<String> bound = boundViolation(review, sans);
        if (bound.isPresent()) {
            return Optional.of(Decision.denied(NAME, "OutsideServingPolicy", bound.get(), review.checks()));
        }
        String node = Recognizers.nodeName(review.parsed().commonName());
        Optional<List<String>> addresses = nodes.of(node);
        review.check("node-exists", addresses.isPresent(), "Node " + node);
        if (addresses.isEmpty()) {
            return Optional.of(Decision.noOpinion(NAME, "NodeNotFound", "Node " + node
                    + " is not registered yet; will ask again", review.checks(), true));
        }
        List<String> foreign = new ArrayList<>();
        for (String dns : sans.dnsNames()) {
            if (addresses.get().stream().noneMatch(a -> a.toLowerCase(Locale.ROOT).equals(dns.toLowerCase(Locale.ROOT)))) {
                foreign.add("DNS:" + dns);
            }
        }
        for (String ip : sans.ipAddresses()) {
            if (addresses.get().stream().noneMatch(a -> sameIp(a, ip))) {
                foreign.add("IP:" + ip);
            }
        }
        review.check("sans-are-node-addresses", foreign.isEmpty(), foreign.isEmpty()
                ? "all SANs are addresses of Node " + node
                : String.join(", ", foreign) + " not among Node " + node + "'s addresses " + addresses.get());
        if (!foreign.isEmpty()) {
            return Optional.of(Decision.denied(NAME, "SANNotANodeAddress", "SAN " + String.join(", ", foreign)
                    + " is not an address of Node " + node, review.checks()));
        }
        return Optional.of(Decision.approved(NAME, APPROVED_MESSAGE, review.checks()));
    }

    private Optional<String> boundViolation(Review review, SubjectAltNames sans) {
        if (settings.maxSans().isPresent()) {
            int max = settings.maxSans().get();
            int count = sans.dnsNames().size() + sans.ipAddresses().size();
            review.check("max-sans", count <= max, count + " SANs, at most " + max);
            if (count > max) {
                return Optional.of(count + " SANs requested; at most " + max + " are allowed");
            }
        }
        if (settings.dnsNamePattern().isPresent()) {
            for (String dns : sans.dnsNames()) {
                boolean ok = settings.dnsNamePattern().get().matcher(dns).matches();
                review.check("dns-name-pattern", ok, dns + (ok ? " matches " : " does not match ")
                        + settings.dnsNamePattern().get());
                if (!ok) {
                    return Optional.of("DNS SAN " + dns + " does not match " + settings.dnsNamePattern().get());
                }
            }
        }
        if (!settings.ipRanges().isEmpty()) {
            for (String ip : sans.ipAddresses()) {
                boolean ok = settings.ipRanges().stream().anyMatch(c -> c.contains(address(ip)));
                review.check("ip-ranges", ok, ip + (ok ? " is in " : " is outside ") + settings.ipRanges());
                if (!ok) {
                    return Optional.of("IP SAN " + ip + " is outside the allowed ranges " + settings.ipRanges());
                }
            }
        }
        if (settings.maxExpiration().isPresent()) {
            Duration max = settings.maxExpiration().get();
            Integer requested = review.csr().expirationSeconds();
            boolean ok = requested != null && requested <= max.toSeconds();
            review.check("max-expiration", ok, (requested == null ? "no expirationSeconds" : requested + "s")
                    + ", at most " + max.toSeconds() + "s");
            if (!ok) {
                return Optional.of("spec.expirationSeconds must be set and at most " + max.toSeconds());
            }
        }
        return Optional.empty();
    }

    private static boolean sameIp(String nodeAddress, String san) {
        return IpLiteral.same(nodeAddress, san);
    }

    private static InetAddress address(String literal) {
        return IpLiteral.parse(literal).orElseThrow(() -> new IllegalArgumentException("not an IP literal: " + literal));
    }
}
