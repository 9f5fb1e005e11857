package io.csrflow.signer.pods;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.csrflow.signer.domain.NamespaceSelector;

/**
 * One entry of a signer's {@code pod-certificates.allow} list: a pod may have a certificate when its
 * namespace, its service account and its labels all match. {@code *} in a list matches every name;
 * the namespaces must always be listed, so that a signer never serves every namespace by omission.
 */
public record PodAllowRule(Set<String> namespaces, Set<String> serviceAccounts, NamespaceSelector podSelector,
                           String podSelectorText) {
    public static final String ANY = "*";

    public PodAllowRule {
        namespaces = Set.copyOf(namespaces);
        serviceAccounts = Set.copyOf(serviceAccounts);
        if (namespaces.isEmpty()) {
            throw new IllegalArgumentException("namespaces: list the namespaces (or * for all of them)");
        }
        if (serviceAccounts.isEmpty()) {
            throw new IllegalArgumentException("service-accounts: list the service accounts (or * for all of them)");
        }
    }

    boolean admits(String namespace, String serviceAccount, Map<String, String> podLabels) {
        return matches(namespaces, namespace) && matches(serviceAccounts, serviceAccount)
                && podSelector.matches(podLabels);
    }

    String describe() {
        return "namespaces " + new TreeSet<>(namespaces) + ", service accounts " + new TreeSet<>(serviceAccounts)
                + (podSelectorText.isEmpty() ? "" : ", pods " + podSelectorText);
    }

    private static boolean matches(Set<String> names, String name) {
        return names.contains(ANY) || names.contains(name);
    }
}
