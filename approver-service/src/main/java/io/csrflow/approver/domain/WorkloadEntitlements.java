package io.csrflow.approver.domain;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which names and IPs a ServiceAccount is entitled to in a serving certificate, from who runs where:
 * <ul>
 * <li>a Service of its namespace whose endpoints are all pods running as it: {@code svc},
 * {@code svc.ns}, {@code svc.ns.svc}, {@code svc.ns.svc.<domain>} and its cluster IPs;</li>
 * <li>a running pod of it: its IPs, {@code <ip-with-dashes>.ns.pod.<domain>}, {@code <pod>.ns.pod.<domain>}
 * (never when the pod's name itself reads as an IP) and {@code <hostname>.<subdomain>.ns.svc.<domain>};
 * with a pod-bound token, only that pod's.</li>
 * </ul>
 * Each SAN gets a {@link Verdict}: entitled (naming the object that entitles it), refused (saying why) or
 * waiting (an object it names does not exist yet, it may be starting).
 */
final class WorkloadEntitlements {
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern IPV4_DASHED = Pattern.compile("\\d{1,3}(-\\d{1,3}){3}");
    private static final Pattern IPV6_DASHED = Pattern.compile("[0-9a-f]*(-[0-9a-f]*){2,7}");

    enum Kind { ENTITLED, REFUSED, WAITING }

    /** {@code text}: the object that entitles the SAN, or why it is refused or waits. */
    record Verdict(Kind kind, String text) {
        static Verdict entitled(String by) {
            return new Verdict(Kind.ENTITLED, by);
        }

        static Verdict refused(String why) {
            return new Verdict(Kind.REFUSED, why);
        }

        static Verdict waiting(String why) {
            return new Verdict(Kind.WAITING, why);
        }
    }

    private final boolean shortNames;
    private final WorkloadDirectory directory;
    private final ReservedAddresses reserved;
    private final String domain;
    private final Set<String> trustedManagers;

    WorkloadEntitlements(WorkloadDirectory directory, ReservedAddresses reserved, String domain,
            Set<String> trustedManagers, boolean shortNames) {
        this.shortNames = shortNames;
        this.directory = directory;
        this.reserved = reserved;
        this.domain = NodeAddressForms.canonical(domain);
        this.trustedManagers = Set.copyOf(trustedManagers);
    }

    /** A DNS SAN, already known not to be reserved. */
    Verdict dnsName(String san, ServiceAccountRequester sa) {
        String name = NodeAddressForms.canonical(san);
        String podSuffix = ".pod." + domain;
        if (name.endsWith(podSuffix)) {
            return podName(labels(name.substring(0, name.length() - podSuffix.length())), sa);
        }
        for (String suffix : List.of(".svc." + domain, ".svc")) {
            if (name.endsWith(suffix)) {
                List<String> labels = labels(name.substring(0, name.length() - suffix.length()));
                if (labels.size() == 2) {
                    return inNamespace(labels.get(1), sa).orElseGet(() -> service(labels.get(0), sa));
                }
                if (labels.size() == 3) {
                    return inNamespace(labels.get(2), sa).orElseGet(() -> podHostname(labels.get(0), labels.get(1), sa));
                }
                return notAttributable(sa);
            }
        }
        List<String> labels = labels(name);
        if (!shortNames && labels.size() <= 2) {
            return Verdict.refused("is a short Service name, which means another Service in every namespace that "
                    + "resolves it (csrflow.approver.workload.short-names is off): ask for "
                    + labels.get(0) + "." + sa.namespace() + ".svc." + domain);
        }
        if (labels.size() == 1) {
            return service(labels.get(0), sa);
        }
        if (labels.size() == 2) {
            return inNamespace(labels.get(1), sa).orElseGet(() -> service(labels.get(0), sa));
        }
        return notAttributable(sa);
    }

    /** An IP SAN, already known not to be reserved. */
    Verdict ipAddress(InetAddress ip, ServiceAccountRequester sa) {
        String text = ip.getHostAddress();
        List<WorkloadDirectory.WorkloadService> services = directory.servicesWithClusterIp(text);
        Optional<WorkloadDirectory.WorkloadService> own = services.stream()
                .filter(s -> s.namespace().equals(sa.namespace())).findFirst();
        if (own.isPresent()) {
            return service(own.get(), sa);
        }
        if (!services.isEmpty()) {
            return Verdict.refused("is the cluster IP of " + services.get(0).label() + " of another namespace");
        }
        if (reserved.insideServiceCidr(ip)) {
            return Verdict.waiting("is inside the Service CIDR but no Service has it as its cluster IP yet");
        }
        return podIp(text, sa);
    }

    private Verdict podName(List<String> labels, ServiceAccountRequester sa) {
        if (labels.size() < 2) {
            return notAttributable(sa);
        }
        String namespace = labels.get(labels.size() - 1);
        Optional<Verdict> elsewhere = inNamespace(namespace, sa);
        if (elsewhere.isPresent()) {
            return elsewhere.get();
        }
        String podName = String.join(".", labels.subList(0, labels.size() - 1));
        Optional<InetAddress> dashed = dashedIp(podName);
        if (dashed.isPresent()) {
            Optional<String> never = reserved.workloadIpAddress(dashed.get());
            if (never.isPresent()) {
                return Verdict.refused("reads as " + dashed.get().getHostAddress() + ", " + never.get());
            }
            Optional<WorkloadDirectory.WorkloadPod> namesake = directory.pod(sa.namespace(), podName);
            if (namesake.isPresent() && !namesake.get().ips().contains(dashed.get().getHostAddress())) {
                return Verdict.refused("reads as IP " + dashed.get().getHostAddress() + ", which "
                        + namesake.get().label() + " does not have: a pod name in IP form is never certified");
            }
            return podIp(dashed.get().getHostAddress(), sa);
        }
        Optional<WorkloadDirectory.WorkloadPod> pod = directory.pod(sa.namespace(), podName);
        if (pod.isEmpty()) {
            return Verdict.waiting("names Pod " + sa.namespace() + "/" + podName + ", which does not exist yet");
        }
        return ownPod(pod.get(), sa).orElseGet(() -> Verdict.entitled(pod.get().label()));
    }

    private Verdict podHostname(String hostname, String subdomain, ServiceAccountRequester sa) {
        List<WorkloadDirectory.WorkloadPod> named = directory.pods(sa.namespace()).stream()
                .filter(p -> !p.finished() && hostname.equals(p.hostname()) && subdomain.equals(p.subdomain())).toList();
        if (named.isEmpty()) {
            return Verdict.waiting("names no running Pod of " + sa.namespace() + " with hostname " + hostname
                    + " and subdomain " + subdomain + " yet");
        }
        for (WorkloadDirectory.WorkloadPod pod : named) {
            Optional<Verdict> refused = ownPod(pod, sa);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        return Verdict.entitled(named.get(0).label() + " (hostname " + hostname + ", subdomain " + subdomain + ")");
    }

    private Verdict podIp(String ip, ServiceAccountRequester sa) {
        List<WorkloadDirectory.WorkloadPod> holders = directory.podsWithIp(ip).stream().filter(p -> !p.finished())
                .toList();
        if (holders.isEmpty()) {
            return Verdict.waiting("is the IP of no running Pod of service account " + sa.label() + " yet");
        }
        for (WorkloadDirectory.WorkloadPod pod : holders) {
            if (!sa.runs(pod)) {
                return Verdict.refused("is also the IP of " + pod.label() + ", which runs as service account "
                        + pod.serviceAccount() + ", not " + sa.name());
            }
            if (pod.hostNetwork()) {
                return Verdict.refused("is the node's IP, which host-network " + pod.label() + " shares");
            }
        }
        for (WorkloadDirectory.WorkloadPod pod : holders) {
            Optional<Verdict> refused = ownPod(pod, sa);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        return Verdict.entitled(holders.get(0).label());
    }

    /** Refused when the pod is not the requester's (another service account, not its bound pod, finished, host network). */
    private static Optional<Verdict> ownPod(WorkloadDirectory.WorkloadPod pod, ServiceAccountRequester sa) {
        if (!sa.runs(pod)) {
            return Optional.of(Verdict.refused("is " + pod.label() + ", which runs as service account "
                    + pod.serviceAccount() + ", not " + sa.name()));
        }
        if (!sa.mayNamePod(pod)) {
            return Optional.of(Verdict.refused("is " + pod.label() + ", not Pod " + sa.namespace() + "/"
                    + sa.boundPod().orElse(pod.name()) + sa.boundPodUid().map(u -> " (uid " + u + ")").orElse("")
                    + ", the pod the requester's token is bound to"));
        }
        if (pod.finished()) {
            return Optional.of(Verdict.refused("is " + pod.label() + ", which has finished"));
        }
        if (pod.hostNetwork()) {
            // Its names resolve to its node's IP, which every host-network pod of that node shares.
            return Optional.of(Verdict.refused("is host-network " + pod.label() + ", whose names are its node's"));
        }
        return Optional.empty();
    }

    private Verdict service(String name, ServiceAccountRequester sa) {
        if (!DNS_1035_LABEL.matcher(name).matches()) {
            return Verdict.refused("is not a Service name of namespace " + sa.namespace());
        }
        Optional<WorkloadDirectory.WorkloadService> found = directory.service(sa.namespace(), name);
        if (found.isEmpty()) {
            return Verdict.waiting("names Service " + sa.namespace() + "/" + name + ", which does not exist yet");
        }
        return service(found.get(), sa);
    }

    /**
     * Entitled when every endpoint of the Service is a pod of the service account, listed by a slice
     * whose manager csrflow trusts (the EndpointSlice controller writes what the Service's selector
     * selects; anyone else's slice says only what its writer wanted).
     */
    private Verdict service(WorkloadDirectory.WorkloadService service, ServiceAccountRequester sa) {
        if (service.endpoints().isEmpty()) {
            return Verdict.waiting("names " + service.label() + ", which has no endpoints yet");
        }
        Set<String> others = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        for (WorkloadDirectory.Endpoint endpoint : service.endpoints()) {
            if (!trustedManagers.contains(endpoint.manager())) {
                return Verdict.refused("names " + service.label() + ", whose EndpointSlice " + endpoint.slice()
                        + " is managed by " + (endpoint.manager().isEmpty() ? "no controller" : endpoint.manager())
                        + ", not by " + String.join(" or ", new TreeSet<>(trustedManagers)));
            }
            if (!"Pod".equals(endpoint.targetKind()) || !service.namespace().equals(endpoint.targetNamespace())) {
                return Verdict.refused("names " + service.label() + ", which has an endpoint that is not a Pod of "
                        + service.namespace());
            }
            Optional<WorkloadDirectory.WorkloadPod> pod = directory.pod(service.namespace(), endpoint.targetName());
            if (pod.isEmpty()) {
                unknown.add(endpoint.targetName());
            } else if (!sa.runs(pod.get())) {
                others.add(pod.get().serviceAccount());
            }
        }
        if (!others.isEmpty()) {
            return Verdict.refused("selects pods of service account " + String.join(", ", others) + ", not "
                    + sa.name());
        }
        if (!unknown.isEmpty()) {
            return Verdict.waiting("names " + service.label() + ", whose endpoint Pod " + unknown.get(0)
                    + " is not known yet");
        }
        return Verdict.entitled(service.label() + " (pods of " + sa.name() + ")");
    }

    private static Optional<Verdict> inNamespace(String namespace, ServiceAccountRequester sa) {
        if (namespace.equals(sa.namespace())) {
            return Optional.empty();
        }
        return Optional.of(Verdict.refused(DNS_LABEL.matcher(namespace).matches()
                ? "names namespace " + namespace + ", not " + sa.namespace()
                : "is not a name of a Service or Pod of namespace " + sa.namespace()));
    }

    private static Verdict notAttributable(ServiceAccountRequester sa) {
        return Verdict.refused("is not a name of a Service or Pod of namespace " + sa.namespace());
    }

    /** A pod name that reads as an IP with dashes ({@code 10-0-34-2}, {@code fd00--1}), as CoreDNS reads pod names. */
    static Optional<InetAddress> dashedIp(String name) {
        if (IPV4_DASHED.matcher(name).matches()) {
            return IpLiteral.parse(name.replace('-', '.'));
        }
        if (IPV6_DASHED.matcher(name).matches()) {
            // An IPv4-mapped address (0--ffff-a00-5) is that IPv4 address to CoreDNS, which answers an A
            // record for it; the JDK already reads it as the Inet4Address it maps, so it is kept as one.
            return IpLiteral.parse(name.replace('-', ':'));
        }
        return Optional.empty();
    }

    private static List<String> labels(String name) {
        return name.isEmpty() ? List.of() : List.of(name.split("\\.", -1));
    }
}
