package io.csrflow.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * One simulated kubelet, doing what the kubelet's certificate manager does: bootstrap with the
 * token (fresh key, client CSR, wait), register its Node with its own certificate, request its
 * serving certificate for its addresses, and rotate each certificate with a new key at its own
 * deadline (70–90 % of the lifetime) or as soon as csrflow announces it due, whichever is first.
 * A failed or refused rotation is retried with backoff while the old certificate still works.
 */
final class SimulatedKubelet {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);

    enum Phase { BOOTSTRAPPING, REGISTERING, REQUESTING_SERVING, READY, SERVING_REFUSED, FAILED }

    private final NodeAddresses node;
    private final String impersonated;
    private final Misbehaviour misbehaviour;
    private final FleetContext fleet;
    private final Map<CertKind, HeldCertificate> held = new EnumMap<>(CertKind.class);
    private final Map<CertKind, ScheduledFuture<?>> deadlines = new EnumMap<>(CertKind.class);
    private final Map<CertKind, Boolean> rotating = new EnumMap<>(CertKind.class);
    private final Map<CertKind, Integer> issued = new EnumMap<>(CertKind.class);
    private final Map<CertKind, Integer> rotations = new EnumMap<>(CertKind.class);
    private final List<String> refusals = new ArrayList<>();
    private final List<Runnable> onRegistered = new ArrayList<>();
    private boolean registered;
    private KubernetesClient nodeClient;
    private Phase phase = Phase.BOOTSTRAPPING;
    private String lastError;
    private int requestSequence;

    SimulatedKubelet(NodeAddresses node, String impersonated, Misbehaviour misbehaviour, FleetContext fleet) {
        this.node = node;
        this.impersonated = impersonated;
        this.misbehaviour = misbehaviour;
        this.fleet = fleet;
    }

    String name() {
        return node.name();
    }

    /** Bootstraps, registers and requests the serving certificate; completes when that is done or refused. */
    CompletableFuture<Void> start() {
        return requestClientCertificate(fleet.bootstrapClient())
                .thenRun(this::registerNode)
                .thenRun(this::announceRegistered)
                .thenCompose(ignored -> requestServing())
                .exceptionally(failure -> {
                    fail("start", failure);
                    return null;
                });
    }

    private CompletableFuture<Void> requestClientCertificate(KubernetesClient as) {
        KeyMaterial key = fleet.ecP256Key();
        String csr = key.csrPem(node.userName(), List.of(), List.of());
        return fleet.requester().request(as, csrName(CertKind.CLIENT), CertKind.CLIENT, key, csr,
                fleet.expirationSeconds()).thenAccept(outcome -> install(CertKind.CLIENT, key, outcome));
    }

    private CompletableFuture<Void> requestServing() {
        setPhase(Phase.REQUESTING_SERVING);
        KeyMaterial key = misbehaviour == Misbehaviour.WEAK_KEY ? KeyMaterial.weakRsa() : fleet.ecP256Key();
        String commonName = misbehaviour == Misbehaviour.IMPERSONATE ? "system:node:" + impersonated : node.userName();
        // A foreign SAN of the fleet's own kind (another node's name), so that only the Node's
        // addresses, not the operator's name pattern, tell it apart.
        List<String> dns = misbehaviour == Misbehaviour.FOREIGN_SAN ? List.of(node.name(), impersonated)
                : List.of(node.name());
        String csr = key.csrPem(commonName, dns, List.of(node.internalIp()));
        return fleet.requester().request(currentClient(), csrName(CertKind.SERVING), CertKind.SERVING, key, csr,
                fleet.expirationSeconds()).thenAccept(outcome -> install(CertKind.SERVING, key, outcome));
    }

    /**
     * The kubelet creates its own Node. A real API server keeps the status given on create; if the
     * Node exists already (a restarted simulator), its addresses are set through the status.
     */
    private void registerNode() {
        setPhase(Phase.REGISTERING);
        Node desired = new NodeBuilder().withNewMetadata().withName(node.name())
                .addToLabels("kubernetes.io/hostname", node.name()).endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(node.internalIp()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(node.name()).endAddress()
                .endStatus().build();
        KubernetesClient client = currentClient();
        try {
            client.nodes().resource(desired).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            client.nodes().withName(node.name()).editStatus(existing -> new NodeBuilder(existing)
                    .editOrNewStatus().withAddresses(desired.getStatus().getAddresses()).endStatus().build());
        }
    }

    /**
     * Runs {@code action} once the node is registered (it holds a client certificate and its Node
     * exists), soon if it is already: from then on the kubelet serves its pods' volumes. The action
     * runs on the fleet's timer pool, never in the node's own start.
     */
    void whenRegistered(Runnable action) {
        synchronized (this) {
            if (!registered) {
                onRegistered.add(action);
                return;
            }
        }
        fleet.scheduler().execute(action);
    }

    private void announceRegistered() {
        List<Runnable> waiting;
        synchronized (this) {
            registered = true;
            waiting = List.copyOf(onRegistered);
            onRegistered.clear();
        }
        waiting.forEach(fleet.scheduler()::execute);
    }

    /** The client certificate the kubelet authenticates with now, as system:node:NAME; null before bootstrap. */
    synchronized HeldCertificate clientCertificate() {
        return held.get(CertKind.CLIENT);
    }

    private void install(CertKind kind, KeyMaterial key, CsrOutcome outcome) {
        if (outcome instanceof CsrOutcome.Refused refused) {
            synchronized (this) {
                refusals.add(kind.label() + " " + refused.csrName() + ": " + refused.condition() + " "
                        + refused.reason() + " (" + refused.message() + ")");
            }
            LOG.info("{}: {} CSR {} {} {}: {}", node.name(), kind.label(), refused.csrName(),
                    refused.condition().toLowerCase(Locale.ROOT), refused.reason(), refused.message());
            throw new RefusedException(kind, refused);
        }
        CsrOutcome.Issued issuedOutcome = (CsrOutcome.Issued) outcome;
        HeldCertificate certificate = HeldCertificate.of(key, issuedOutcome.certificatePem(), issuedOutcome.csrName());
        KubernetesClient replaced = null;
        synchronized (this) {
            boolean rotation = held.containsKey(kind);
            held.put(kind, certificate);
            issued.merge(kind, 1, Integer::sum);
            if (rotation) {
                rotations.merge(kind, 1, Integer::sum);
            }
            // The node's API client is opened when it is needed and closed when the node goes idle
            // (ready, or a new client certificate): thousands of idle nodes would otherwise each hold a
            // connection pool and TLS context (~2 MB a node) in the simulator.
            replaced = nodeClient;
            nodeClient = null;
            if (kind == CertKind.SERVING) {
                phase = Phase.READY;
            }
            scheduleDeadline(kind, certificate);
        }
        if (replaced != null) {
            replaced.close();
        }
        LOG.info("{}: {} certificate serial {} valid until {}", node.name(), kind.label(), certificate.serial(),
                certificate.notAfter());
    }

    private void scheduleDeadline(CertKind kind, HeldCertificate certificate) {
        ScheduledFuture<?> previous = deadlines.remove(kind);
        if (previous != null) {
            previous.cancel(false);
        }
        Instant deadline = certificate.kubeletDeadline(ThreadLocalRandom.current().nextDouble());
        long delay = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        deadlines.put(kind, fleet.scheduler().schedule(() -> rotate(kind, certificate.serial(), "deadline"),
                delay, TimeUnit.MILLISECONDS));
    }

    /** csrflow says the certificate with {@code serial} is due: rotate it unless that is done already. */
    void onRenewalDue(CertKind kind, String serial) {
        rotate(kind, serial, "renewal-due");
    }

    private void rotate(CertKind kind, String serial, String trigger) {
        synchronized (this) {
            HeldCertificate current = held.get(kind);
            if (current == null || !current.serial().equals(serial) || Boolean.TRUE.equals(rotating.get(kind))) {
                return; // an older certificate's notice, or a rotation already under way
            }
            rotating.put(kind, true);
        }
        LOG.info("{}: rotating the {} certificate (serial {}, {})", node.name(), kind.label(), serial, trigger);
        attemptRotation(kind, Backoff.retry());
    }

    private void attemptRotation(CertKind kind, Backoff backoff) {
        CompletableFuture<Void> attempt;
        if (kind == CertKind.CLIENT) {
            // With an expired client certificate the kubelet falls back to its bootstrap credentials.
            boolean expired = held.get(kind).expiredAt(Instant.now());
            attempt = requestClientCertificate(expired ? fleet.bootstrapClient() : currentClient());
        } else {
            attempt = requestServing();
        }
        attempt.whenComplete((ignored, failure) -> {
            if (failure == null) {
                synchronized (this) {
                    rotating.put(kind, false);
                    lastError = null;
                }
                return;
            }
            fail("rotate " + kind.label(), failure);
            backoff.schedule(fleet.scheduler(), () -> attemptRotation(kind, backoff.next()));
        });
    }

    private synchronized void fail(String step, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof RefusedException refused && refused.kind() == CertKind.SERVING) {
            phase = held.containsKey(CertKind.SERVING) ? phase : Phase.SERVING_REFUSED;
            lastError = refused.getMessage();
            return;
        }
        lastError = step + ": " + cause.getMessage();
        if (!held.containsKey(CertKind.CLIENT)) {
            phase = Phase.FAILED;
        }
        LOG.warn("{}: {} failed: {}", node.name(), step, cause.toString());
    }

    private synchronized KubernetesClient currentClient() {
        if (nodeClient == null) {
            HeldCertificate client = held.get(CertKind.CLIENT);
            if (client == null) {
                throw new IllegalStateException(node.name() + " has no client certificate yet");
            }
            nodeClient = fleet.clientFor(client);
        }
        return nodeClient;
    }

    private synchronized void setPhase(Phase next) {
        if (phase != Phase.READY) {
            phase = next;
        }
    }

    private synchronized String csrName(CertKind kind) {
        requestSequence++;
        return "csr-" + node.name() + "-" + kind.label() + "-" + Long.toString(System.currentTimeMillis(), 36)
                + requestSequence;
    }

    synchronized NodeReport report() {
        return new NodeReport(node.name(), misbehaviour.label(), phase.name(),
                CertificateReport.of(held.get(CertKind.CLIENT), issued.getOrDefault(CertKind.CLIENT, 0),
                        rotations.getOrDefault(CertKind.CLIENT, 0)),
                CertificateReport.of(held.get(CertKind.SERVING), issued.getOrDefault(CertKind.SERVING, 0),
                        rotations.getOrDefault(CertKind.SERVING, 0)),
                List.copyOf(refusals), lastError);
    }

    synchronized void stop() {
        deadlines.values().forEach(deadline -> deadline.cancel(false));
        if (nodeClient != null) {
            nodeClient.close();
        }
    }

    /** A CSR of this node was denied or failed. */
    static final class RefusedException extends RuntimeException {
        private final CertKind kind;

        RefusedException(CertKind kind, CsrOutcome.Refused refused) {
            super(kind.label() + " CSR " + refused.csrName() + " " + refused.condition().toLowerCase(Locale.ROOT)
                    + ": " + refused.reason() + ": " + refused.message(), null, false, false);
            this.kind = kind;
        }

        CertKind kind() {
            return kind;
        }
    }
}
