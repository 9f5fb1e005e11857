package io.csrflow.scheduler.inventory;

import java.time.Instant;

/**
 * What makes a tracked certificate a pod's (a kubelet {@code podCertificate} volume, issued through
 * a PodCertificateRequest) rather than a CSR's: the pod it was issued to (its name is the identity's
 * common name), the node the pod runs on, the request that carried it, and when the kubelet is to
 * begin refreshing it. The pod's UID tells the pod from a later one of the same name.
 */
public record PodCertificate(String podUid, String nodeName, String requestName, Instant beginRefreshAt) {

    public PodCertificate {
        if (requestName == null || beginRefreshAt == null) {
            throw new IllegalArgumentException("a pod certificate has a request name and beginRefreshAt");
        }
    }
}
