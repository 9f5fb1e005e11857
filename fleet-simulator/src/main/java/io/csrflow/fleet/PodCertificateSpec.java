package io.csrflow.fleet;

/**
 * One pod with a {@code podCertificate} projected volume, bound to {@code node}; its certificate is
 * asked for by the kubelet of {@code requestingNode}, which is {@code node} unless the pod
 * misbehaves as {@link PodCertificateMisbehaviour#OTHER_NODE}. Pods share a few ServiceAccounts in
 * one namespace, so that several pods hold the same SPIFFE identity.
 */
record PodCertificateSpec(String namespace, String pod, String serviceAccount, String node, String requestingNode,
                          String podIp, PodCertificateKey.Type keyType, PodCertificateMisbehaviour behaviour) {

    static final String NAMESPACE = "sim-pods";
    static final String VOLUME = "pod-certificate";
    static final String CREDENTIAL_BUNDLE_PATH = "credentialbundle.pem";
    private static final int SERVICE_ACCOUNTS = 3;

    /**
     * Pod number {@code index} (from 0) of {@code count}, bound to node {@code index mod nodes}; the last
     * {@code misbehaving} ones take the kinds of {@link PodCertificateMisbehaviour#CYCLE} in turn.
     */
    static PodCertificateSpec of(int index, int count, int misbehaving, int nodes, String namePrefix,
            PodCertificateKey.Type keyType) {
        int firstMisbehaving = count - misbehaving;
        PodCertificateMisbehaviour behaviour = index < firstMisbehaving ? PodCertificateMisbehaviour.NONE
                : PodCertificateMisbehaviour.CYCLE.get((index - firstMisbehaving) % PodCertificateMisbehaviour.CYCLE.size());
        String node = NodeAddresses.of(namePrefix, index % nodes).name();
        String requester = behaviour == PodCertificateMisbehaviour.OTHER_NODE
                ? NodeAddresses.of(namePrefix, (index + 1) % nodes).name() : node;
        int host = index + 10;
        String podIp = "10.246." + (host / 250) + "." + (host % 250 + 1);
        return new PodCertificateSpec(NAMESPACE, "cert-pod-" + (index + 1), "pod-sa-" + (index % SERVICE_ACCOUNTS + 1),
                node, requester, podIp, behaviour == PodCertificateMisbehaviour.KEY_TYPE ? PodCertificateKey.Type.ED25519
                        : keyType, behaviour);
    }

    String label() {
        return namespace + "/" + pod;
    }

    /** The URI SAN a certificate for this pod must carry: {@code spiffe://<trust domain>/ns/<ns>/sa/<sa>}. */
    String spiffeId(String trustDomain) {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
}
