package io.csrflow.pki;

/** The Kubernetes signer names csrflow knows. */
public final class SignerNames {
    public static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    public static final String KUBELET_SERVING = "kubernetes.io/kubelet-serving";
    public static final String APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    public static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

    private SignerNames() {
    }
}
