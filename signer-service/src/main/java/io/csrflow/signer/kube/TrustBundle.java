package io.csrflow.signer.kube;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.csrflow.pki.Pem;
import io.csrflow.signer.SignerConfig;
import io.csrflow.signer.ca.CaRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/**
 * Trust distribution: a ConfigMap with each served signer's CA bundle ({@code <signer>.crt},
 * signer without the {@code kubernetes.io/} prefix): the current CA and, during a rotation, the
 * next one; updated whenever the CA files change.
 */
@ApplicationScoped
public class TrustBundle {
    private static final Logger LOG = Logger.getLogger(TrustBundle.class);

    private final KubernetesClient client;
    private final SignerConfig.TrustBundle config;

    TrustBundle(KubernetesClient client, SignerConfig config) {
        this.client = client;
        this.config = config.signer().trustBundle();
    }

    void publish(@Observes CaRegistry.CaChanged changed) {
        if (!config.enabled()) {
            return;
        }
        Map<String, String> data = new TreeMap<>();
        changed.bundles().forEach((signer, certificates) -> data.put(signer.substring(signer.indexOf('/') + 1) + ".crt",
                Pem.of(certificates)));
        ConfigMap bundle = new ConfigMapBuilder().withNewMetadata().withName(config.name())
                .withNamespace(config.namespace()).addToLabels("app.kubernetes.io/part-of", "csrflow")
                .endMetadata().withData(data).build();
        try {
            client.configMaps().inNamespace(config.namespace()).resource(bundle).createOr(NonDeletingOperation::update);
        } catch (KubernetesClientException e) {
            LOG.errorf("could not publish the CA bundle ConfigMap %s/%s: %s", config.namespace(), config.name(),
                    e.getMessage());
        }
    }
}
