package io.csrflow.approver.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.csrflow.events.Requester;
import io.csrflow.pki.SubjectAltNames;

/**
 * An administrator's rules for workload CSRs from requesters that are not ServiceAccounts: nothing in
 * the cluster says which Services a person may serve, so only a rule written for them does. A rule
 * names who (users, groups) and what (a DNS name pattern, IP ranges); the CSR must pass the workload
 * rule's shape and reserved-address checks first, and every SAN must be within the rule.
 */
final class RequesterRules {
    private final List<PolicySettings.RequesterRule> rules;

    RequesterRules(List<PolicySettings.RequesterRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The first rule naming this requester, by user name or one of its groups. */
    Optional<PolicySettings.RequesterRule> matching(Requester requester) {
        return rules.stream().filter(rule -> rule.users().contains(requester.username())
                || requester.groups().stream().anyMatch(rule.groups()::contains)).findFirst();
    }

    /** Every SAN the rule does not allow, with why; empty when it allows them all. */
    static List<String> outside(PolicySettings.RequesterRule rule, SubjectAltNames sans) {
        List<String> outside = new ArrayList<>();
        for (String dns : sans.dnsNames()) {
            String name = NodeAddressForms.canonical(dns);
            if (rule.dnsNames().map(p -> !p.matcher(name).matches()).orElse(true)) {
                outside.add(dns + " is not a DNS name rule " + rule.name() + " allows"
                        + rule.dnsNames().map(p -> " (" + p.pattern() + ")").orElse(" (none)"));
            }
        }
        for (String ip : sans.ipAddresses()) {
            boolean inside = IpLiteral.parse(ip).map(address -> rule.ipRanges().stream()
                    .anyMatch(range -> range.contains(address))).orElse(false);
            if (!inside) {
                outside.add(ip + " is outside the IP ranges of rule " + rule.name() + " " + rule.ipRanges());
            }
        }
        return outside;
    }
}
