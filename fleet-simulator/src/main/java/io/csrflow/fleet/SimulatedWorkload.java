package io.csrflow.fleet;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * One simulated workload doing what the Kubernetes "Manage TLS certificates in a cluster" flow has a
 * pod's service do: a fresh key and a CSR for its Service's and Pod's names and IPs to a workload
 * signer, created with its ServiceAccount's Pod-bound token; then it checks that the certificate
 * verifies against the CA bundle its namespace publishes (as its clients would), and asks again with
 * a new key at its own deadline (70–90 % of the lifetime) or when csrflow announces it due.
 */
final class SimulatedWorkload {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedWorkload.class);
    static final String BUNDLE_CONFIG_MAP = "csrflow-ca-bundle";
    private static final List<String> USAGES = List.of("digital signature", "key encipherment", "server auth");

    enum Phase { PLACING, REQUESTING, CERTIFIED, DENIED, FAILED }

    private final WorkloadSpec spec;
    private final WorkloadObjects objects;
    private final FleetContext fleet;
    private final String signerName;
    private final String clusterDomain;
    private final List<String> refusals = new ArrayList<>();
    private WorkloadObjects.Placed placed;
    private HeldCertificate held;
    private ScheduledFuture<?> deadline;
    private Phase phase = Phase.PLACING;
    private boolean rotating;
    private boolean trusted;
    private int issued;
    private int rotations;
    private int requestSequence;
    private String lastError;

    SimulatedWorkload(WorkloadSpec spec, WorkloadObjects objects, FleetContext fleet, String signerName,
            String clusterDomain) {
        this.spec = spec;
        this.objects = objects;
        this.fleet = fleet;
        this.signerName = signerName;
        this.clusterDomain = clusterDomain;
    }

    /** Places the workload's objects and requests its first certificate; retried with backoff until it has one. */
    void start() {
        attempt(Backoff.retry());
    }

    private void attempt(Backoff backoff) {
        CompletableFuture<Void> request;
        try {
            synchronized (this) {
                if (placed == null) {
                    placed = objects.place(spec);
                }
            }
            request = request();
        } catch (RuntimeException e) {
            request = CompletableFuture.failedFuture(e);
        }
        request.whenComplete((ignored, failure) -> {
            if (failure == null) {
                return;
            }
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            synchronized (this) {
                if (cause instanceof Refused) {
                    // A denial is an answer: asking again with the same names would be denied again.
                    rotating = false;
                    return;
                }
                lastError = cause.getMessage();
                phase = held == null ? Phase.FAILED : phase;
            }
            LOG.warn("{}: certificate request failed: {}", spec.label(), cause.toString());
            backoff.schedule(fleet.scheduler(), () -> attempt(backoff.next()));
        });
    }

    private CompletableFuture<Void> request() {
        synchronized (this) {
            if (held == null) {
                phase = Phase.REQUESTING;
            }
        }
        KeyMaterial key = fleet.ecP256Key();
        List<String> ips = new ArrayList<>(placed.clusterIps());
        ips.add(spec.podIp());
        String csr = key.serverCsrPem(spec.commonName(clusterDomain), spec.dnsNames(clusterDomain), ips);
        KubernetesClient client = fleet.clientWithToken(objects.token(spec, placed.podUid()));
        return fleet.requester().request(client, csrName(), signerName, USAGES, csr, fleet.expirationSeconds())
                .whenComplete((outcome, failure) -> client.close())
                .thenAccept(outcome -> install(key, outcome));
    }

    private void install(KeyMaterial key, CsrOutcome outcome) {
        if (outcome instanceof CsrOutcome.Refused refused) {
            synchronized (this) {
                refusals.add(refused.csrName() + ": " + refused.condition() + " " + refused.reason() + " ("
                        + refused.message() + ")");
                phase = held == null ? Phase.DENIED : phase;
                lastError = refused.reason() + ": " + refused.message();
            }
            LOG.info("{}: CSR {} {} {}: {}", spec.label(), refused.csrName(), refused.condition(), refused.reason(),
                    refused.message());
            throw new Refused();
        }
        CsrOutcome.Issued certified = (CsrOutcome.Issued) outcome;
        HeldCertificate certificate = HeldCertificate.of(key, certified.certificatePem(), certified.csrName());
        synchronized (this) {
            if (held != null) {
                rotations++;
            }
            held = certificate;
            issued++;
            phase = Phase.CERTIFIED;
            rotating = false;
            lastError = null;
            trusted = false;
            scheduleDeadline(certificate);
        }
        LOG.info("{}: certificate serial {} valid until {}", spec.label(), certificate.serial(), certificate.notAfter());
        checkTrust(certificate, Backoff.retry());
    }

    /**
     * Whether a client holding the namespace's published bundle accepts the certificate; looked at
     * again while the bundle is missing or does not vouch for it yet (it follows a CA rotation).
     */
    private void checkTrust(HeldCertificate certificate, Backoff backoff) {
        boolean verifies;
        try {
            verifies = verifiedBy(certificate.certificate(), objects.namespaceBundle(spec.namespace(), BUNDLE_CONFIG_MAP));
        } catch (RuntimeException e) {
            verifies = false;
        }
        synchronized (this) {
            if (held != certificate) {
                return;
            }
            trusted = verifies;
        }
        if (!verifies) {
            backoff.schedule(fleet.scheduler(), () -> checkTrust(certificate, backoff.next()));
        }
    }

    static boolean verifiedBy(X509Certificate certificate, String bundlePem) {
        if (bundlePem == null) {
            return false;
        }
        try {
            for (var ca : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(bundlePem.getBytes(StandardCharsets.US_ASCII)))) {
                X509Certificate authority = (X509Certificate) ca;
                if (!authority.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                    continue;
                }
                try {
                    certificate.verify(authority.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    // another CA of the same name; try the next one
                }
            }
        } catch (GeneralSecurityException e) {
            return false;
        }
        return false;
    }

    private void scheduleDeadline(HeldCertificate certificate) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        Instant due = certificate.kubeletDeadline(ThreadLocalRandom.current().nextDouble());
        long delay = Math.max(0, Duration.between(Instant.now(), due).toMillis());
        deadline = fleet.scheduler().schedule(() -> rotate(certificate.serial(), "deadline"), delay,
                TimeUnit.MILLISECONDS);
    }

    /** Whether the certificate with {@code serial} is this workload's current one; if so it is renewed. */
    boolean onRenewalDue(String serial) {
        synchronized (this) {
            if (held == null || !held.serial().equals(serial)) {
                return false;
            }
        }
        rotate(serial, "renewal-due");
        return true;
    }

    private void rotate(String serial, String trigger) {
        synchronized (this) {
            if (held == null || !held.serial().equals(serial) || rotating) {
                return;
            }
            rotating = true;
        }
        LOG.info("{}: renewing its certificate (serial {}, {})", spec.label(), serial, trigger);
        attempt(Backoff.retry());
    }

    private synchronized String csrName() {
        requestSequence++;
        return spec.service() + "." + spec.namespace() + "-" + Long.toString(System.currentTimeMillis(), 36)
                + requestSequence;
    }

    synchronized WorkloadReport report() {
        return new WorkloadReport(spec.namespace(), spec.service(), spec.requester(),
                spec.misbehaves() ? "asks for Service " + spec.foreignService() + " as well" : "well-behaved",
                phase.name(), CertificateReport.of(held, issued, rotations), trusted, List.copyOf(refusals), lastError);
    }

    synchronized void stop() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** The CSR was denied or failed: no retry. */
    private static final class Refused extends RuntimeException {
        Refused() {
            super("refused", null, false, false);
        }
    }
}
