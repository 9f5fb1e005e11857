package io.csrflow.scheduler.inventory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * Which certificates the scheduler believes were issued. Kafka topics can be written by anyone
 * with producer rights; a certificate in an event is tracked only if it is signed by a CA of its
 * signer's trust bundle: the directory the signer's {@code csrflow-ca-bundles} ConfigMap is
 * mounted at, one {@code <signer>.crt} per signer csrflow serves (e.g. {@code kubelet-serving.crt}).
 * A forged event cannot carry such a certificate without the CA's key. Signers without a file
 * (kube-controller-manager's, say) are tracked as the watcher read them from the API. Files are
 * re-read when they change, so a CA rotation needs no restart.
 */
public final class CertificateTrust {
    private static final Logger LOG = Logger.getLogger(CertificateTrust.class);

    /** No trust bundle configured: every certificate is tracked. */
    public static final CertificateTrust NONE = new CertificateTrust(null, null);

    private record Bundle(FileTime modified, List<X509Certificate> cas) {
    }

    private final Path directory;
    private final Provider provider;
    private final Map<Path, Bundle> bundles = new ConcurrentHashMap<>();

    private CertificateTrust(Path directory, Provider provider) {
        this.directory = directory;
        this.provider = provider;
    }

    /** @param provider verifies the signatures (the scheduler's configured JCA provider) */
    public static CertificateTrust fromDirectory(Path directory, Provider provider) {
        return new CertificateTrust(directory, provider);
    }

    /** False when no trust bundle is configured and every certificate is believed. */
    public boolean enabled() {
        return directory != null;
    }

    /** @throws IllegalArgumentException naming why {@code certificate} is not believed */
    public void check(String signerName, X509Certificate certificate) {
        if (directory == null) {
            return;
        }
        Path file = directory.resolve(signerName.substring(signerName.indexOf('/') + 1) + ".crt");
        if (!Files.isRegularFile(file)) {
            return;
        }
        for (X509Certificate ca : load(file)) {
            if (ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                try {
                    certificate.verify(ca.getPublicKey(), provider);
                    return;
                } catch (GeneralSecurityException e) {
                    // try the next CA of the bundle (the current and the next during a rotation)
                }
            }
        }
        throw new IllegalArgumentException("certificate " + certificate.getSerialNumber().toString(16) + " of "
                + signerName + " (issuer " + certificate.getIssuerX500Principal().getName()
                + ") is not signed by a CA in the trust bundle " + file);
    }

    /** The file's certificates; the last good read if it cannot be read now (a volume being updated). */
    private List<X509Certificate> load(Path file) {
        Bundle known = bundles.get(file);
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (known != null && known.modified().equals(modified)) {
                return known.cas();
            }
            try (InputStream in = Files.newInputStream(file)) {
                List<X509Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                        .map(X509Certificate.class::cast).toList();
                bundles.put(file, new Bundle(modified, cas));
                LOG.infof("trust bundle %s: %d CA certificate(s)", file, cas.size());
                return cas;
            }
        } catch (IOException | GeneralSecurityException e) {
            if (known == null) {
                throw new IllegalArgumentException("trust bundle " + file + " cannot be read: " + e.getMessage(), e);
            }
            LOG.warnf("trust bundle %s cannot be read (%s); using the last good copy", file, e.getMessage());
            return known.cas();
        }
    }
}
