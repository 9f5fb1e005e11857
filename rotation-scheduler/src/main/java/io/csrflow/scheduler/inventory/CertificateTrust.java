package io.csrflow.scheduler.inventory;

import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.csrflow.pki.SignerNames;

/**
 * Which certificates the scheduler believes were issued. Kafka topics can be written by anyone
 * with producer rights; with a trust bundle configured (the directory the signer's
 * {@code csrflow-ca-bundles} ConfigMap is mounted at, one file per signer it serves named as
 * {@link SignerNames#bundleFile} says, e.g. {@code kubelet-serving.crt}, {@code csrflow.io_workload-serving.crt}) a certificate of csrflow's signers is believed only if a CA of
 * its signer's file signed it; a forged event cannot carry such a certificate without the CA's key.
 *
 * <p>Fail closed, three cases:
 * <ul>
 * <li>Bundle unusable (missing, unreadable, no CA at all): certificates of csrflow's signer names,
 * and of any signer that has a file, cannot be checked; {@link TrustUnavailableException}, which is
 * transient, so they wait in their topic instead of being believed or thrown away.</li>
 * <li>Bundle usable, but no file for one of csrflow's signer names: not believed (terminal), since
 * the signer publishes a file for every signer it serves.</li>
 * <li>A signer csrflow does not sign for and that has no file (kube-controller-manager's
 * {@code example.com/...}, an external signer's): tracked as the watcher read it from the API.</li>
 * </ul>
 * Files are re-read when they change, so a CA rotation, or a bundle arriving late, needs no restart.
 */
public final class CertificateTrust {
    /** The signer names csrflow's signer can serve (libs/pki); each served one has a file in the bundle. */
    static final Set<String> CSRFLOW_SIGNERS = Set.of(SignerNames.KUBELET_CLIENT, SignerNames.KUBELET_SERVING,
            SignerNames.APISERVER_CLIENT, SignerNames.LEGACY_UNKNOWN);
    /** The extended key usage each of csrflow's signer names puts in its certificates (client or server auth). */
    private static final java.util.Map<String, String> PURPOSES = java.util.Map.of(
            SignerNames.KUBELET_CLIENT, "1.3.6.1.5.5.7.3.2",
            SignerNames.APISERVER_CLIENT, "1.3.6.1.5.5.7.3.2",
            SignerNames.KUBELET_SERVING, "1.3.6.1.5.5.7.3.1");
    /** How long a reading of the directory answers for it; a "no" is always checked against a fresh one. */
    private static final long READING_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** No trust bundle configured: every certificate is tracked. */
    public static final CertificateTrust NONE = new CertificateTrust(null, null, 0);

    private final TrustBundleReader reader;
    private final Provider provider;
    private final VerifiedSignatures signatures;
    private volatile TrustBundle reading;
    private volatile long readAtNanos;

    private CertificateTrust(Path directory, Provider provider, int rememberedSignatures) {
        this.reader = directory == null ? null : new TrustBundleReader(directory);
        this.provider = provider;
        this.signatures = new VerifiedSignatures(rememberedSignatures);
    }

    /** @param provider verifies the signatures (the scheduler's configured JCA provider) */
    public static CertificateTrust fromDirectory(Path directory, Provider provider) {
        return fromDirectory(directory, provider, VerifiedSignatures.DEFAULT_CAPACITY);
    }

    /**
     * @param rememberedSignatures how many certificates found signed by a CA of the bundle are
     *                             remembered, so that they are not verified again (0: none)
     */
    public static CertificateTrust fromDirectory(Path directory, Provider provider, int rememberedSignatures) {
        return new CertificateTrust(directory, provider, rememberedSignatures);
    }

    /** Signature checks against the bundle that passed by verifying the signature. */
    public long signaturesVerified() {
        return signatures.verified();
    }

    /**
     * Signature checks that passed without verifying again: the same certificate was verified
     * before by a CA that is still in its signer's file.
     */
    public long signaturesRemembered() {
        return signatures.remembered();
    }

    /** False when no trust bundle is configured and every certificate is believed. */
    public boolean enabled() {
        return reader != null;
    }

    /** Why certificates of csrflow's signers cannot be checked now; null when they can, or no bundle is configured. */
    public String problem() {
        return reader == null ? null : current().problem();
    }

    /** For readiness: what the bundle holds, or what is wrong with it. */
    public String describe() {
        return reader == null ? "not configured: every certificate is believed, a forged one included"
                : current().describe();
    }

    /**
     * @throws IllegalArgumentException   naming why {@code certificate} is not believed (dead-letter it)
     * @throws TrustUnavailableException  when it cannot be checked now (retry it later)
     */
    public void check(String signerName, X509Certificate certificate) {
        if (reader == null) {
            return;
        }
        try {
            decide(current(), signerName, certificate);
        } catch (IllegalArgumentException | TrustUnavailableException notBelieved) {
            // The reading may be up to a second old: a bundle that has just arrived, or the next CA
            // of a rotation. Say no only on what the directory holds now.
            decide(reread(), signerName, certificate);
        }
    }

    private void decide(TrustBundle bundle, String signerName, X509Certificate certificate) {
        String file = SignerNames.bundleFile(signerName);
        boolean csrflows = CSRFLOW_SIGNERS.contains(signerName);
        if (!bundle.usable()) {
            if (csrflows || bundle.names().contains(file)) {
                throw new TrustUnavailableException(name(signerName, certificate) + " cannot be checked: "
                        + bundle.problem());
            }
            return; // a signer csrflow does not sign for: as read from the API
        }
        List<X509Certificate> cas = bundle.files().get(file);
        if (cas == null) {
            if (csrflows) {
                throw new IllegalArgumentException(name(signerName, certificate) + " is not believed: the trust bundle "
                        + bundle.directory() + " has no " + file + ", and csrflow's signer publishes one for every "
                        + "signer it serves");
            }
            return; // not csrflow's signer name and no file: as read from the API
        }
        List<X509Certificate> issuers = cas.stream()
                .filter(ca -> ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())).toList();
        if (signatures.signedByOneOf(certificate, issuers, provider)) {
            requirePurpose(signerName, certificate);
            return;
        }
        throw new IllegalArgumentException(name(signerName, certificate) + " is not signed by a CA in the trust bundle "
                + bundle.directory().resolve(file));
    }

    /**
     * A CA may serve several signer names (one CA for all is allowed): a genuine serving certificate
     * must not be filed as a client certificate, or the other way round, so its extended key usage
     * must be the one its signer name issues.
     */
    private static void requirePurpose(String signerName, X509Certificate certificate) {
        String purpose = PURPOSES.get(signerName);
        if (purpose == null) {
            return;
        }
        List<String> usages;
        try {
            usages = certificate.getExtendedKeyUsage();
        } catch (java.security.cert.CertificateParsingException e) {
            usages = null;
        }
        if (usages == null || !usages.contains(purpose)) {
            throw new IllegalArgumentException(name(signerName, certificate) + " does not carry the extended key usage "
                    + purpose + " that " + signerName + " issues");
        }
    }

    private static String name(String signerName, X509Certificate certificate) {
        return "certificate " + certificate.getSerialNumber().toString(16) + " of " + signerName + " (issuer "
                + certificate.getIssuerX500Principal().getName() + ")";
    }

    private TrustBundle current() {
        TrustBundle r = reading;
        if (r == null || System.nanoTime() - readAtNanos > READING_NANOS) {
            return reread();
        }
        return r;
    }

    private TrustBundle reread() {
        TrustBundle r = reader.read();
        reading = r;
        readAtNanos = System.nanoTime();
        return r;
    }
}
