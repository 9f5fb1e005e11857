package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.csrflow.pki.SubjectAltNames;

/**
 * Serving certificates for workloads, as the Kubernetes documentation's "Manage TLS certificates in
 * a cluster" asks an approver to judge them: the subject controls the key (proof of possession,
 * {@link RequestIntegrityRule}) and may act in the requested context, which here means every SAN is
 * one its ServiceAccount is entitled to ({@link WorkloadEntitlements}). In this order, the first
 * failing check deciding:
 * <ol>
 * <li>the requester is a ServiceAccount, else NO_OPINION {@code NotAServiceAccount} for an
 * administrator (people and nodes ask for serving certificates too; their word is not evidence),
 * unless an administrator's rule names them ({@link RequesterRules}: after the two checks below,
 * approved when every SAN is within the rule, else NO_OPINION {@code OutsideRequesterRule});</li>
 * <li>the shape: server usages only, DNS or IP SANs only and at least one, CN empty or one of the SANs:
 * DENIED {@code InvalidWorkloadRequest};</li>
 * <li>no SAN is reserved (wildcards, IP literals as names, the API server's names and Service IP,
 * loopback, link-local, unspecified, the operator's reserved names and ranges): DENIED {@code SANReserved};</li>
 * <li>the caches have read every Pod, Service and EndpointSlice, else NO_OPINION {@code WorkloadCacheNotSynced};</li>
 * <li>every SAN is entitled: DENIED {@code SANNotEntitled} naming each SAN and why; a SAN that names an
 * object not there yet: NO_OPINION {@code WorkloadNotFoundYet}, asked again.</li>
 * </ol>
 * The approval message names the Service or Pod that entitled each SAN.
 */
final class WorkloadServingRule implements ApprovalRule {
    static final String NAME = "workload-serving";
    static final Set<String> SERVER_USAGES = Set.of("digital signature", "key encipherment", "server auth");

    private final PolicySettings.Workload settings;
    private final ReservedAddresses reserved;
    private final WorkloadDirectory directory;
    private final WorkloadEntitlements entitlements;
    private final RequesterRules requesterRules;

    WorkloadServingRule(PolicySettings.Workload settings, PolicySettings.Cluster cluster, WorkloadDirectory directory) {
        this.settings = settings;
        this.reserved = new ReservedAddresses(cluster);
        this.directory = directory;
        this.entitlements = new WorkloadEntitlements(directory, reserved, cluster.domain(),
                settings.endpointSliceManagers(), settings.shortNames());
        this.requesterRules = new RequesterRules(settings.requesterRules());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Decision> evaluate(Review review) {
        if (!settings.enabled() || !settings.signerNames().contains(review.csr().signerName())) {
            return Optional.empty();
        }
        ServiceAccountRequester.Parsed parsed = ServiceAccountRequester.parse(review.csr().requester());
        if (parsed instanceof ServiceAccountRequester.Malformed malformed) {
            review.check("requester-is-service-account", false, malformed.why());
            return deny(review, DecisionReason.INVALID_WORKLOAD_REQUEST, malformed.why());
        }
        Optional<PolicySettings.RequesterRule> byRule = Optional.empty();
        if (parsed instanceof ServiceAccountRequester.NotAServiceAccount other) {
            review.check("requester-is-service-account", false, other.why());
            byRule = requesterRules.matching(review.csr().requester());
            if (byRule.isEmpty()) {
                return Optional.of(Decision.noOpinion(NAME, DecisionReason.NOT_A_SERVICE_ACCOUNT,
                        "left for an administrator: requester " + other.why(), review.checks(), false));
            }
            review.check("requester-rule", true, byRule.get().name());
        }

        Optional<String> shape = shapeViolation(review);
        if (shape.isPresent()) {
            return deny(review, DecisionReason.INVALID_WORKLOAD_REQUEST, shape.get());
        }
        SubjectAltNames sans = review.parsed().sans();
        Map<String, String> reservedSans = new LinkedHashMap<>();
        sans.dnsNames().forEach(d -> reserved.workloadDnsName(d).ifPresent(why -> reservedSans.put(d, why)));
        sans.ipAddresses().forEach(i -> reserved.workloadIpAddress(ip(i)).ifPresent(why -> reservedSans.put(i, why)));
        review.check("sans-not-reserved", reservedSans.isEmpty(), reservedSans.isEmpty()
                ? "no wildcard, loopback, API server name or address" : join(reservedSans, " is "));
        if (!reservedSans.isEmpty()) {
            return deny(review, DecisionReason.SAN_RESERVED, "SAN " + join(reservedSans, " is ")
                    + ": never certified for a workload");
        }
        if (byRule.isPresent()) {
            return Optional.of(byRequesterRule(review, byRule.get(), sans));
        }
        ServiceAccountRequester sa = ((ServiceAccountRequester.Account) parsed).requester();
        review.check("requester-is-service-account", true, sa.label()
                + sa.boundPod().map(p -> ", token bound to Pod " + p).orElse(""));
        if (!directory.synced()) {
            // Stopped for good is not "not yet": what it holds is frozen until it has listed afresh.
            boolean stopped = directory.stopped();
            review.check("workload-cache-synced", false, stopped ? "a Pod, Service or EndpointSlice cache stopped"
                    : "Pods, Services or EndpointSlices not read yet");
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.WORKLOAD_CACHE_NOT_SYNCED, (stopped
                    ? "a Pod, Service or EndpointSlice cache stopped following the API (the approver's log says why) and "
                    + "lists afresh shortly" : "the Pod, Service and EndpointSlice caches have not read everything yet")
                    + ", so entitlement cannot be told; will ask again", review.checks(), true));
        }

        Map<String, WorkloadEntitlements.Verdict> verdicts = new LinkedHashMap<>();
        sans.dnsNames().forEach(d -> verdicts.put(d, entitlements.dnsName(d, sa)));
        sans.ipAddresses().forEach(i -> verdicts.put(i, entitlements.ipAddress(ip(i), sa)));
        Map<String, String> refused = only(verdicts, WorkloadEntitlements.Kind.REFUSED);
        Map<String, String> waiting = only(verdicts, WorkloadEntitlements.Kind.WAITING);
        Map<String, String> entitled = only(verdicts, WorkloadEntitlements.Kind.ENTITLED);
        review.check("sans-entitled", refused.isEmpty() && waiting.isEmpty(), refused.isEmpty() && waiting.isEmpty()
                ? join(entitled, ": ") : join(refused, " ") + (refused.isEmpty() || waiting.isEmpty() ? "" : "; ")
                + join(waiting, " "));
        if (!refused.isEmpty()) {
            return deny(review, DecisionReason.SAN_NOT_ENTITLED, "Denying workload serving certificate for service "
                    + "account " + sa.label() + ": " + join(refused, " "));
        }
        if (!waiting.isEmpty()) {
            return Optional.of(Decision.noOpinion(NAME, DecisionReason.WORKLOAD_NOT_FOUND_YET, join(waiting, " ")
                    + "; will ask again", review.checks(), true));
        }
        return Optional.of(Decision.approved(NAME, "Auto approving workload serving certificate for service account "
                + sa.label() + ": " + join(entitled, ": "), review.checks()));
    }

    /**
     * A requester an administrator's rule names: approved when the rule allows every SAN, otherwise
     * still left for an administrator (the rule says what may be approved unattended, not what must be refused).
     */
    private static Decision byRequesterRule(Review review, PolicySettings.RequesterRule rule, SubjectAltNames sans) {
        String requester = review.csr().requester().username();
        List<String> outside = RequesterRules.outside(rule, sans);
        review.check("sans-within-requester-rule", outside.isEmpty(), outside.isEmpty()
                ? "every SAN within rule " + rule.name() : String.join("; ", outside));
        if (!outside.isEmpty()) {
            return Decision.noOpinion(NAME, DecisionReason.OUTSIDE_REQUESTER_RULE, "left for an administrator: "
                    + String.join("; ", outside), review.checks(), false);
        }
        return Decision.approved(NAME, "Auto approving workload serving certificate for " + requester
                + " by the administrator's rule " + rule.name(), review.checks());
    }

    /** Server usages only, DNS and IP SANs only and at least one, and a CN that is one of them if any. */
    private Optional<String> shapeViolation(Review review) {
        List<String> usages = review.csr().usages();
        List<String> foreign = usages.stream().filter(u -> !SERVER_USAGES.contains(u)).toList();
        boolean usagesOk = foreign.isEmpty() && usages.contains("server auth");
        review.check("usages", usagesOk, usages + ", allowed " + new TreeSet<>(SERVER_USAGES) + " with server auth");
        if (!usagesOk) {
            return Optional.of(foreign.isEmpty() ? "usages " + usages + " lack server auth"
                    : "usages " + foreign + " are not allowed for a workload serving certificate (allowed: "
                            + String.join(", ", new TreeSet<>(SERVER_USAGES)) + ")");
        }
        SubjectAltNames sans = review.parsed().sans();
        List<String> otherTypes = new ArrayList<>();
        sans.emails().forEach(e -> otherTypes.add("email " + e));
        sans.uris().forEach(u -> otherTypes.add("URI " + u));
        boolean typesOk = otherTypes.isEmpty() && !sans.dnsNames().isEmpty() || otherTypes.isEmpty()
                && !sans.ipAddresses().isEmpty();
        review.check("san-types", typesOk, sans.dnsNames().size() + " DNS, " + sans.ipAddresses().size() + " IP"
                + (otherTypes.isEmpty() ? "" : ", " + String.join(", ", otherTypes)));
        if (!otherTypes.isEmpty()) {
            return Optional.of("SAN " + String.join(", ", otherTypes) + ": only DNS and IP SANs are certified for a workload");
        }
        if (!typesOk) {
            return Optional.of("no DNS or IP SAN: a serving certificate names what it serves");
        }
        String cn = review.parsed().commonName();
        Set<String> names = new TreeSet<>();
        sans.dnsNames().forEach(d -> names.add(NodeAddressForms.canonical(d)));
        sans.ipAddresses().forEach(i -> names.add(NodeAddressForms.canonical(i)));
        boolean cnOk = cn == null || cn.isEmpty() || names.contains(NodeAddressForms.canonical(cn));
        review.check("common-name", cnOk, cn == null || cn.isEmpty() ? "empty" : cn);
        if (!cnOk) {
            return Optional.of("CN " + cn + " is not one of the SANs");
        }
        return Optional.empty();
    }

    private static Map<String, String> only(Map<String, WorkloadEntitlements.Verdict> verdicts,
            WorkloadEntitlements.Kind kind) {
        Map<String, String> found = new LinkedHashMap<>();
        verdicts.forEach((san, verdict) -> {
            if (verdict.kind() == kind) {
                found.put(san, verdict.text());
            }
        });
        return found;
    }

    private static String join(Map<String, String> bySan, String separator) {
        return bySan.entrySet().stream().map(e -> e.getKey() + separator + e.getValue())
                .collect(Collectors.joining("; "));
    }

    private static Optional<Decision> deny(Review review, DecisionReason reason, String message) {
        return Optional.of(Decision.denied(NAME, reason, message, review.checks()));
    }

    private static InetAddress ip(String text) {
        return IpLiteral.parse(text).orElseThrow(() -> new IllegalArgumentException("not an IP literal: " + text));
    }
}
