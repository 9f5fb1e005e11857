package io.csrflow.pki;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shapes of CSR kube-controller-manager recognises, as DESIGN.md states them. Shared by the
 * approver (which approves what they recognise) and the signer (which re-checks before signing).
 * Every check runs, so a decision can report all of them; the request is recognised only if all pass.
 */
public final class Recognizers {
    public static final String NODE_PREFIX = "system:node:";
    private static final List<String> NODES_ORG = List.of("system:nodes");
    private static final Set<Set<String>> CLIENT_USAGES = Set.of(
            Set.of("digital signature", "key encipherment", "client auth"),
            Set.of("digital signature", "client auth"));
    private static final Set<Set<String>> SERVING_USAGES = Set.of(
            Set.of("digital signature", "key encipherment", "server auth"),
            Set.of("digital signature", "server auth"));
    private static final Set<String> APISERVER_CLIENT_USAGES = Set.of("client auth", "digital signature",
            "key encipherment");

    /** What a recognizer looks at: the CSR's spec and its parsed request. */
    public record Request(String signerName, List<String> usages, String username, ParsedCsr csr) {
    }

    private Recognizers() {
    }

    /** {@code kubernetes.io/kube-apiserver-client-kubelet}: a kubelet's client certificate. */
    public static Recognition kubeletClient(Request r) {
        List<RuleCheck> checks = new ArrayList<>();
        checks.add(signer(r, SignerNames.KUBELET_CLIENT));
        checks.add(nodesOrganization(r.csr()));
        checks.add(nodeCommonName(r.csr()));
        SubjectAltNames sans = r.csr().sans();
        checks.add(check("no-sans", sans.count() == 0,
                sans.count() == 0 ? "no SANs" : "client certificates carry no SANs; requested " + describe(sans)));
        checks.add(usages(r, CLIENT_USAGES));
        return new Recognition("kubelet-client", checks);
    }

    /** {@code kubernetes.io/kubelet-serving}: a kubelet's serving certificate. */
    public static Recognition kubeletServing(Request r) {
        List<RuleCheck> checks = new ArrayList<>();
        checks.add(signer(r, SignerNames.KUBELET_SERVING));
        checks.add(nodesOrganization(r.csr()));
        checks.add(nodeCommonName(r.csr()));
        String cn = r.csr().commonName();
        checks.add(check("username-is-cn", cn != null && cn.equals(r.username()),
                "spec.username \"" + safe(r.username()) + "\", CN \"" + safe(cn) + "\""));
        SubjectAltNames sans = r.csr().sans();
        boolean hasAddress = !sans.dnsNames().isEmpty() || !sans.ipAddresses().isEmpty();
        checks.add(check("has-dns-or-ip-san", hasAddress,
                hasAddress ? describe(sans) : "serving certificates need at least one DNS or IP SAN"));
        boolean noOthers = sans.emails().isEmpty() && sans.uris().isEmpty() && sans.others().isEmpty();
        checks.add(check("no-email-uri-sans", noOthers, noOthers ? "none"
                : "email, URI and other SANs are not allowed; requested " + describe(sans)));
        checks.add(usages(r, SERVING_USAGES));
        return new Recognition("kubelet-serving", checks);
    }

    /** {@code kubernetes.io/kube-apiserver-client}: client auth only, as the signer allows it. */
    public static Recognition apiserverClient(Request r) {
        List<RuleCheck> checks = new ArrayList<>();
        checks.add(signer(r, SignerNames.APISERVER_CLIENT));
        Set<String> usages = new HashSet<>(r.usages());
        boolean allowed = APISERVER_CLIENT_USAGES.containsAll(usages) && usages.contains("client auth");
        checks.add(check("usages", allowed, allowed ? String.join(", ", r.usages())
                : "only client auth, digital signature and key encipherment are allowed, with client auth; got "
                        + r.usages()));
        return new Recognition("kube-apiserver-client", checks);
    }

    /** A Node's name: a DNS-1123 subdomain, as the API server validates {@code metadata.name}. */
    private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** The node name of a kubelet CN ({@code system:node:NAME}), or null if it has none or it is no valid name. */
    public static String nodeName(String commonName) {
        if (commonName == null || !commonName.startsWith(NODE_PREFIX)) {
            return null;
        }
        String name = commonName.substring(NODE_PREFIX.length());
        return name.length() <= 253 && NODE_NAME.matcher(name).matches() ? name : null;
    }

    private static RuleCheck signer(Request r, String expected) {
        return check("signer-name", expected.equals(r.signerName()), safe(r.signerName()));
    }

    private static RuleCheck nodesOrganization(ParsedCsr csr) {
        boolean ok = NODES_ORG.equals(csr.organizations());
        return check("organization", ok, ok ? "O=system:nodes"
                : "subject O must be exactly [system:nodes], got " + safe(csr.organizations().toString()));
    }

    private static RuleCheck nodeCommonName(ParsedCsr csr) {
        boolean ok = nodeName(csr.commonName()) != null;
        return check("common-name", ok, ok ? "CN=" + safe(csr.commonName())
                : "CN must be system:node:<node name>, got \"" + safe(csr.commonName()) + "\"");
    }

    private static RuleCheck usages(Request r, Set<Set<String>> allowed) {
        Set<String> requested = new HashSet<>(r.usages());
        boolean ok = requested.size() == r.usages().size() && allowed.contains(requested);
        return check("usages", ok, ok ? String.join(", ", r.usages())
                : "usages " + r.usages() + " are not one of " + allowed);
    }

    private static RuleCheck check(String name, boolean passed, String detail) {
        return new RuleCheck(name, passed, detail);
    }

    private static String describe(SubjectAltNames sans) {
        List<String> parts = new ArrayList<>();
        sans.dnsNames().forEach(d -> parts.add("DNS:" + d));
        sans.ipAddresses().forEach(i -> parts.add("IP:" + i));
        sans.emails().forEach(e -> parts.add("email:" + e));
        sans.uris().forEach(u -> parts.add("URI:" + u));
        sans.others().forEach(o -> parts.add("other:" + o));
        return String.join(", ", parts);
    }

    private static String safe(String value) {
        return value == null ? "" : CsrParser.escape(value);
    }
}
