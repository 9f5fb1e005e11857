package io.csrflow.signer.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import io.csrflow.pki.CaLoadException;
import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.SignerNames;
import io.csrflow.signer.SignerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The CA of each served signer name, loaded at start (a bad file stops the start, naming it) and
 * reloaded when its files change; a reload that fails keeps the CA in use and is reported.
 */
@ApplicationScoped
public class CaRegistry {
    private static final Logger LOG = Logger.getLogger(CaRegistry.class);
    private static final List<String> SIGNERS = List.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
            SignerNames.APISERVER_CLIENT, SignerNames.LEGACY_UNKNOWN);

    private record Source(Path certFile, Path keyFile, Optional<Path> nextCertFile) {
        String stamp() {
            StringBuilder stamp = new StringBuilder();
            for (Path file : nextCertFile.map(next -> List.of(certFile, keyFile, next)).orElse(List.of(certFile, keyFile))) {
                try {
                    stamp.append(Files.getLastModifiedTime(file)).append('/').append(Files.readString(file).hashCode())
                            .append('|');
                } catch (IOException e) {
                    stamp.append("unreadable|");
                }
            }
            return stamp.toString();
        }
    }

    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final Map<String, CertificateAuthority> authorities = new ConcurrentHashMap<>();
    private final Map<String, X509Certificate> nextCertificates = new ConcurrentHashMap<>();
    private final Map<String, String> stamps = new ConcurrentHashMap<>();
    private final CaLoader loader;
    private final SignerConfig.Signer config;
    private final MeterRegistry registry;
    private final Event<CaChanged> changed;
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ca-reloader");
        t.setDaemon(true);
        return t;
    });

    /** Fired after the CAs were loaded or one of them changed: each signer's trusted CA certificates. */
    public record CaChanged(Map<String, List<X509Certificate>> bundles) {
    }

    CaRegistry(SignerConfig config, Provider provider, MeterRegistry registry, Event<CaChanged> changed) {
        this.config = config.signer();
        this.loader = new CaLoader(provider);
        this.registry = registry;
        this.changed = changed;
        if (this.config.ca().isPresent() && !this.config.signers().isEmpty()) {
            throw new IllegalArgumentException("configure either csrflow.signer.ca (one CA for every signer) or "
                    + "csrflow.signer.signers.<signer> (one per signer), not both");
        }
        for (Map.Entry<String, SignerConfig.CaFiles> entry : this.config.signers().entrySet()) {
            String signer = "kubernetes.io/" + entry.getKey();
            if (!SIGNERS.contains(signer)) {
                throw new IllegalArgumentException("csrflow.signer.signers." + entry.getKey()
                        + ": unknown signer; use one of kube-apiserver-client-kubelet, kubelet-serving, "
                        + "kube-apiserver-client, legacy-unknown");
            }
            sources.put(signer, new Source(entry.getValue().certFile(), entry.getValue().keyFile(),
                    entry.getValue().nextCertFile()));
        }
        this.config.ca().ifPresent(ca -> SIGNERS.forEach(s -> sources.put(s,
                new Source(ca.certFile(), ca.keyFile(), ca.nextCertFile()))));
    }

    void start(@Observes StartupEvent event) throws CaLoadException {
        for (Map.Entry<String, Source> entry : sources.entrySet()) {
            load(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, CertificateAuthority> entry : authorities.entrySet()) {
            registry.gauge("csrflow.signer.ca.not.after", io.micrometer.core.instrument.Tags.of("signer", entry.getKey()),
                    authorities, a -> a.containsKey(entry.getKey())
                            ? a.get(entry.getKey()).certificate().getNotAfter().getTime() / 1000.0 : Double.NaN);
        }
        LOG.infof("serving signers %s", authorities.keySet());
        changed.fire(new CaChanged(bundles()));
        long every = config.reloadInterval().toMillis();
        reloader.scheduleWithFixedDelay(this::reloadChanged, every, every, TimeUnit.MILLISECONDS);
    }

    public Optional<CertificateAuthority> forSigner(String signerName) {
        return Optional.ofNullable(authorities.get(signerName));
    }

    public Map<String, CertificateAuthority> all() {
        return Map.copyOf(authorities);
    }

    /** Current CA certificate, then the next one if configured. */
    private Map<String, List<X509Certificate>> bundles() {
        Map<String, List<X509Certificate>> bundles = new LinkedHashMap<>();
        authorities.forEach((signer, ca) -> {
            List<X509Certificate> certificates = new java.util.ArrayList<>(List.of(ca.certificate()));
            X509Certificate next = nextCertificates.get(signer);
            if (next != null && !next.equals(ca.certificate())) {
                certificates.add(next);
            }
            bundles.put(signer, List.copyOf(certificates));
        });
        return bundles;
    }

    private void load(String signer, Source source) throws CaLoadException {
        if (source.nextCertFile().isPresent()) {
            nextCertificates.put(signer, loader.readCertificate(source.nextCertFile().get()));
        } else {
            nextCertificates.remove(signer);
        }
        CertificateAuthority ca = loader.load(source.certFile(), source.keyFile());
        ca.warnings().forEach(w -> LOG.warnf("CA of %s: %s", signer, w));
        authorities.put(signer, ca);
        stamps.put(signer, source.stamp());
    }

    private void reloadChanged() {
        boolean any = false;
        for (Map.Entry<String, Source> entry : sources.entrySet()) {
            String stamp = entry.getValue().stamp();
            if (stamp.equals(stamps.get(entry.getKey()))) {
                continue;
            }
            try {
                load(entry.getKey(), entry.getValue());
                any = true;
                LOG.infof("reloaded the CA of %s from %s", entry.getKey(), entry.getValue().certFile());
                registry.counter("csrflow.signer.ca.reloads", "signer", entry.getKey()).increment();
            } catch (CaLoadException e) {
                // Keep signing with the CA in use; the files may be half written.
                registry.counter("csrflow.signer.ca.reload.failures", "signer", entry.getKey()).increment();
                LOG.errorf("CA files of %s changed but cannot be loaded; still using the previous CA: %s",
                        entry.getKey(), e.getMessage());
            }
        }
        if (any) {
            changed.fire(new CaChanged(bundles()));
        }
    }

    @PreDestroy
    void stop() {
        reloader.shutdownNow();
    }
}
