package io.csrflow.emulator;

import java.util.Map;

/** The {@link ObjectRules} of each stored kind that has rules of its own beyond metadata. */
final class KindRules {
    private KindRules() {
    }

    static Map<StoredResource, ObjectRules> of(ObjectStore store, ServiceCidr serviceCidr,
            Authorization authorization) {
        return Map.of(
                StoredResource.of("", "pods"), new PodRules(store),
                StoredResource.of("", "services"), new ServiceRules(store, serviceCidr),
                StoredResource.of("", "secrets"), new SecretRules(),
                StoredResource.of("discovery.k8s.io", "endpointslices"), new EndpointSliceRules(),
                StoredResource.of("certificates.k8s.io", "clustertrustbundles"), new ClusterTrustBundleRules(),
                StoredResource.of("certificates.k8s.io", "podcertificaterequests"),
                new PodCertificateRequestRules(store.clock(), authorization));
    }
}
