package io.csrflow.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether NetworkPolicies let one pod reach another on a port, as the networking.k8s.io/v1 semantics
 * say: a pod selected by no policy with Ingress type accepts everything; a selected pod accepts what
 * any rule of any policy selecting it allows (policies add up). A peer with a namespaceSelector
 * matches pods of the namespaces whose labels it selects (every namespace carries
 * kubernetes.io/metadata.name), without one the policy's own namespace; a missing podSelector means
 * every pod there. A rule without {@code from} allows every source, without {@code ports} every port.
 * Named ports are compared by name. ipBlock peers are reported, not modelled.
 */
final class NetworkPolicies {
    /** A pod as a policy sees it. */
    record Pod(String namespace, Map<String, String> labels) {
    }

    private final List<JsonNode> policies = new ArrayList<>();
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

    NetworkPolicies(List<JsonNode> objects) {
        objects.stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy")).forEach(policies::add);
        objects.stream().filter(o -> o.path("kind").asText().equals("Namespace")).forEach(n -> {
            Map<String, String> labels = new HashMap<>();
            n.path("metadata").path("labels").fields().forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
            namespaceLabels.put(n.path("metadata").path("name").asText(), labels);
        });
    }

    /** These policies and {@code policy}, one that is not among the objects (an operator generates it, say). */
    NetworkPolicies with(JsonNode policy) {
        NetworkPolicies copy = new NetworkPolicies(List.of());
        copy.namespaceLabels.putAll(namespaceLabels);
        copy.policies.addAll(policies);
        copy.policies.add(policy);
        return copy;
    }

    /** The policies with Ingress type that select {@code target}. */
    List<JsonNode> selecting(Pod target) {
        return policies.stream().filter(p -> p.path("metadata").path("namespace").asText().equals(target.namespace())
                && ingress(p) && selects(p.path("spec").path("podSelector"), target.labels())).toList();
    }

    /** True if {@code source} may open a connection to {@code target} on {@code port}. */
    boolean admits(Pod source, Pod target, String port) {
        List<JsonNode> selecting = selecting(target);
        if (selecting.isEmpty()) {
            return true;
        }
        for (JsonNode policy : selecting) {
            String namespace = policy.path("metadata").path("namespace").asText();
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                if (portMatches(rule, port) && fromMatches(rule, namespace, source)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** ipBlock peers of ingress rules selecting {@code target}: addresses rather than pods. */
    List<String> ipBlocks(Pod target) {
        List<String> found = new ArrayList<>();
        for (JsonNode policy : selecting(target)) {
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                rule.path("from").forEach(peer -> {
                    if (peer.has("ipBlock")) {
                        found.add(policy.path("metadata").path("name").asText() + ": " + peer.path("ipBlock"));
                    }
                });
            }
        }
        return found;
    }

    /** True if {@code peer} (a NetworkPolicyPeer of a policy in {@code namespace}) matches {@code pod}. */
    boolean peerMatches(JsonNode peer, String namespace, Pod pod) {
        if (peer.has("ipBlock")) {
            return false;
        }
        if (peer.has("namespaceSelector")) {
            if (!selects(peer.path("namespaceSelector"), labelsOf(pod.namespace()))) {
                return false;
            }
        } else if (!pod.namespace().equals(namespace)) {
            return false;
        }
        return !peer.has("podSelector") || selects(peer.path("podSelector"), pod.labels());
    }

    private boolean fromMatches(JsonNode rule, String namespace, Pod source) {
        if (!rule.has("from") || rule.path("from").isEmpty()) {
            return true;
        }
        for (JsonNode peer : rule.path("from")) {
            if (peerMatches(peer, namespace, source)) {
                return true;
            }
        }
        return false;
    }

    private static boolean portMatches(JsonNode rule, String port) {
        if (!rule.has("ports") || rule.path("ports").isEmpty()) {
            return true;
        }
        for (JsonNode p : rule.path("ports")) {
            if (!p.has("port") || p.path("port").asText().equals(port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean ingress(JsonNode policy) {
        JsonNode types = policy.path("spec").path("policyTypes");
        if (types.isMissingNode() || types.isEmpty()) {
            return true;
        }
        for (JsonNode type : types) {
            if (type.asText().equals("Ingress")) {
                return true;
            }
        }
        return false;
    }

    private Map<String, String> labelsOf(String namespace) {
        Map<String, String> labels = new HashMap<>(namespaceLabels.getOrDefault(namespace, Map.of()));
        labels.put("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    /** A LabelSelector: every matchLabels entry and every matchExpressions requirement hold. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        var matchLabels = selector.path("matchLabels").fields();
        while (matchLabels.hasNext()) {
            var entry = matchLabels.next();
            if (!entry.getValue().asText().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (JsonNode requirement : selector.path("matchExpressions")) {
            String key = requirement.path("key").asText();
            Set<String> values = new HashSet<>();
            requirement.path("values").forEach(v -> values.add(v.asText()));
            boolean holds = switch (requirement.path("operator").asText()) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> throw new IllegalArgumentException("unknown selector operator " + requirement);
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }
}
