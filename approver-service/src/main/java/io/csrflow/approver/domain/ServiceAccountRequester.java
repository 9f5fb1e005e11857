package io.csrflow.approver.domain;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.csrflow.events.Requester;

/**
 * A requester that is a ServiceAccount, {@code system:serviceaccount:<namespace>:<name>} as the API
 * server writes its tokens' user into {@code spec.username}, and the Pod its token is bound to when
 * the token is a pod-bound one (the API server's {@code authentication.kubernetes.io/pod-name} and
 * {@code pod-uid} extras).
 */
record ServiceAccountRequester(String namespace, String name, Optional<String> boundPod, Optional<String> boundPodUid) {
    static final String PREFIX = "system:serviceaccount:";
    static final String SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
    static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";
    static final String POD_UID_EXTRA = "authentication.kubernetes.io/pod-uid";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** What a requester turned out to be: a service account, someone else, or a malformed service account name. */
    sealed interface Parsed permits Account, NotAServiceAccount, Malformed {
    }

    record Account(ServiceAccountRequester requester) implements Parsed {
    }

    /** @param why what the requester is instead, e.g. "jane is not a service account" */
    record NotAServiceAccount(String why) implements Parsed {
    }

    record Malformed(String why) implements Parsed {
    }

    static Parsed parse(Requester requester) {
        String username = requester.username() == null ? "" : requester.username();
        if (!username.startsWith(PREFIX)) {
            return new NotAServiceAccount(username + " is not a service account");
        }
        String[] parts = username.substring(PREFIX.length()).split(":", -1);
        if (parts.length != 2) {
            return new Malformed("requester " + username + " is not system:serviceaccount:<namespace>:<name>");
        }
        if (!DNS_LABEL.matcher(parts[0]).matches()) {
            return new Malformed("namespace \"" + parts[0] + "\" of requester " + username + " is not a DNS label");
        }
        if (parts[1].length() > 253 || !DNS_SUBDOMAIN.matcher(parts[1]).matches()) {
            return new Malformed("service account \"" + parts[1] + "\" of requester " + username
                    + " is not a DNS subdomain");
        }
        // The API server puts every ServiceAccount token's user in these groups; a user of another
        // authenticator (a client certificate, a webhook) may carry a service account's name alone.
        List<String> groups = List.of(SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNTS_GROUP + ":" + parts[0]);
        if (!requester.groups().containsAll(groups)) {
            return new NotAServiceAccount(username + " has a service account's name but not its groups " + groups
                    + ": not a ServiceAccount token");
        }
        Optional<String> pod = single(requester, POD_NAME_EXTRA);
        Optional<String> podUid = single(requester, POD_UID_EXTRA);
        return new Account(new ServiceAccountRequester(parts[0], parts[1], pod, podUid));
    }

    private static Optional<String> single(Requester requester, String key) {
        List<String> values = requester.extra().get(key);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    boolean runs(WorkloadDirectory.WorkloadPod pod) {
        return pod.namespace().equals(namespace) && pod.serviceAccount().equals(name);
    }

    /** A pod-bound token names its pod; any pod of the service account otherwise. */
    boolean mayNamePod(WorkloadDirectory.WorkloadPod pod) {
        return runs(pod) && boundPod.map(pod.name()::equals).orElse(true)
                && boundPodUid.map(pod.uid()::equals).orElse(true);
    }

    String label() {
        return namespace + "/" + name;
    }
}
