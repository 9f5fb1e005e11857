package io.csrflow.fleet;

import java.util.List;

/** The two certificates a kubelet holds, with the signer and usages the kubelet asks for. */
enum CertKind {
    CLIENT("kubernetes.io/kube-apiserver-client-kubelet", "client auth"),
    SERVING("kubernetes.io/kubelet-serving", "server auth");

    private final String signerName;
    private final String extendedUsage;

    CertKind(String signerName, String extendedUsage) {
        this.signerName = signerName;
        this.extendedUsage = extendedUsage;
    }

    String signerName() {
        return signerName;
    }

    /** As the kubelet: key encipherment only for RSA keys, where it means something. */
    List<String> usages(boolean rsaKey) {
        return rsaKey ? List.of("digital signature", "key encipherment", extendedUsage)
                : List.of("digital signature", extendedUsage);
    }

    static CertKind ofSigner(String signerName) {
        for (CertKind kind : values()) {
            if (kind.signerName.equals(signerName)) {
                return kind;
            }
        }
        return null;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
