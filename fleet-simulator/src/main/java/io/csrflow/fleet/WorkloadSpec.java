package io.csrflow.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated workload: a ServiceAccount, one Pod running as it and a Service whose EndpointSlice
 * points at that Pod, all in {@code namespace}. Workloads alternate between two namespaces with the
 * same names in each (web-1 in both), so that identities that differ only by namespace show. A
 * misbehaving workload also asks for the names of {@code foreignService}, a Service of another
 * service account in its namespace, and is expected to be denied.
 */
record WorkloadSpec(String namespace, String serviceAccount, String service, String pod, String podIp,
                    String foreignService) {

    private static final String[] NAMESPACES = {"sim-apps-a", "sim-apps-b"};

    /**
     * Workload number {@code index} (from 0) of {@code count}; the last {@code misbehaving} ones ask
     * for the Service of the workload two before them (same namespace, another service account).
     */
    static WorkloadSpec of(int index, int count, int misbehaving) {
        String namespace = NAMESPACES[index % 2];
        String name = "web-" + (index / 2 + 1);
        int host = index + 10;
        String podIp = "10.245." + (host / 250) + "." + (host % 250 + 1);
        String foreign = index >= count - misbehaving && index >= 2 ? "web-" + ((index - 2) / 2 + 1) : null;
        return new WorkloadSpec(namespace, name, name, name + "-0", podIp, foreign);
    }

    boolean misbehaves() {
        return foreignService != null;
    }

    String label() {
        return namespace + "/" + service;
    }

    String requester() {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /**
     * The DNS names of a Service that name its namespace: the short ones ({@code svc}, {@code svc.<ns>})
     * mean another Service in every namespace, and the approver certifies them only when told to.
     */
    static List<String> serviceNames(String service, String namespace, String clusterDomain) {
        return List.of(service + "." + namespace + ".svc", service + "." + namespace + ".svc." + clusterDomain);
    }

    /** Every DNS SAN this workload asks for: its Service's names, its Pod's, and a foreign Service's if it misbehaves. */
    List<String> dnsNames(String clusterDomain) {
        List<String> names = new ArrayList<>(serviceNames(service, namespace, clusterDomain));
        names.add(podIp.replace('.', '-') + "." + namespace + ".pod." + clusterDomain);
        if (foreignService != null) {
            names.addAll(serviceNames(foreignService, namespace, clusterDomain));
        }
        return names;
    }

    String commonName(String clusterDomain) {
        return service + "." + namespace + ".svc." + clusterDomain;
    }
}
