package io.csrflow.service;

import java.time.Duration;
import java.util.Set;

import io.csrflow.events.CsrPhase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * CSRs from an informer, read instead of a GET per review or signing, as kube-controller-manager's
 * approver and signer read theirs. A cached CSR is only the starting point of a write that is
 * conditional on its resourceVersion: a stale copy costs a 409 and a read of the live object, never a
 * wrong decision. Events stay hints: what is judged is what the API listed.
 *
 * <p>Whole requests are kept only for CSRs in the phases the service works on (the approver's
 * Pending ones, the signer's Approved ones), trimmed to what is read (no managed fields, labels,
 * annotations); any other CSR is a few strings (uid, resourceVersion, phase). Memory then follows the
 * work waiting, not the CSRs the API holds (docs/performance.md has the figures at 100k CSRs).
 */
public final class CsrCache implements AutoCloseable {
    /** What the cache says of a CSR. */
    public sealed interface Lookup {
    }

    /** Seen in a phase the service works on; {@code csr} is the cached copy. */
    public record InPlay(CertificateSigningRequest csr) implements Lookup {
    }

    /** Seen past the service's phases (the approver: decided; the signer: issued, failed or denied). */
    public record Past(CsrPhase phase) implements Lookup {
    }

    /**
     * Not seen, seen as another CSR of that name, or seen before the service's phases (the approval
     * not in the cache yet): the live object must be read.
     */
    public record Unknown() implements Lookup {
    }

    private static final Unknown UNKNOWN = new Unknown();
    private static final Duration LOOK_AGAIN = Duration.ofMillis(5);

    /** What is kept of one CSR: the trimmed copy only while it is in play. */
    private record Entry(String uid, CsrPhase phase, CertificateSigningRequest inPlay) {
    }

    private final Set<CsrPhase> inPlay;
    private final Set<CsrPhase> before;
    private final SlimStore<CertificateSigningRequest, Entry> store;
    private volatile FollowedInformer<CertificateSigningRequest> informer;

    /**
     * @param inPlay the phases whose CSRs the service works on
     * @param before the phases earlier than those, in which a hint may be ahead of the cache
     */
    public CsrCache(Set<CsrPhase> inPlay, Set<CsrPhase> before) {
        this.inPlay = Set.copyOf(inPlay);
        this.before = Set.copyOf(before);
        this.store = new SlimStore<>(this::entry, CertificateSigningRequest::new);
    }

    /**
     * Follows the API's CSRs from now on, and keeps what {@code writes} writes; until the first list,
     * every lookup is {@link Unknown}, and without RBAC to list and watch CSRs it stays so (each
     * review or signing then reads the live CSR, as without a cache).
     */
    public CsrCache start(KubernetesClient client, LiveCsrs writes) {
        writes.onWritten(this::written);
        // One that stops for good is started afresh on the same store, which its first list brings up to date.
        informer = new FollowedInformer<>("CSRs", () -> client.certificates().v1().certificateSigningRequests()
                .runnableInformer(0).itemStore(store)).start();
        return this;
    }

    /**
     * As {@link #lookup(String, String)}, but a CSR the cache shows in a phase before the service's
     * is looked at again for up to {@code patience}: the hint (an approval published after it was
     * written) usually arrives a few milliseconds ahead of the informer's watch event, and a short
     * wait is cheaper than a read of the API.
     */
    public Lookup lookup(String name, String uid, Duration patience) {
        long giveUpAt = System.nanoTime() + patience.toNanos();
        Lookup known = lookup(name, uid);
        while (known instanceof Unknown && isBefore(name, uid) && System.nanoTime() < giveUpAt) {
            try {
                Thread.sleep(LOOK_AGAIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return known;
            }
            known = lookup(name, uid);
        }
        return known;
    }

    private boolean isBefore(String name, String uid) {
        Entry entry = store.record("", name).orElse(null);
        return entry != null && entry.uid().equals(uid) && before.contains(entry.phase());
    }

    /** What is known of CSR {@code name} if it is the one with {@code uid}. */
    public Lookup lookup(String name, String uid) {
        Entry entry = store.record("", name).orElse(null);
        if (entry == null || !entry.uid().equals(uid) || before.contains(entry.phase())) {
            return UNKNOWN;
        }
        return entry.inPlay() != null ? new InPlay(entry.inPlay()) : new Past(entry.phase());
    }

    /**
     * The object a write of ours returned: kept until the informer brings the same change, so that the
     * next hint about this CSR (the approval arrives twice) does not act on the copy from before it.
     */
    public void written(CertificateSigningRequest updated) {
        if (updated != null && updated.getMetadata() != null) {
            store.put(updated.getMetadata().getName(), updated);
        }
    }

    /**
     * Listed and still following: not while a stopped informer waits to be started afresh. Lookups
     * answer from the store meanwhile; a stale answer costs a conflict on the write, never a wrong one.
     */
    public boolean synced() {
        FollowedInformer<CertificateSigningRequest> current = informer;
        return current != null && current.synced();
    }

    /** CSRs known, and of those the ones whose request is kept. */
    public long size() {
        return store.size();
    }

    public long inPlaySize() {
        return store.records("").filter(e -> e.getValue().inPlay() != null).count();
    }

    @Override
    public void close() {
        FollowedInformer<CertificateSigningRequest> current = informer;
        if (current != null) {
            current.close();
        }
    }

    /** Package-visible for the memory benchmark: the store as the informer fills it. */
    SlimStore<CertificateSigningRequest, ?> store() {
        return store;
    }

    private Entry entry(CertificateSigningRequest csr) {
        CsrPhase phase = CsrSnapshots.phase(csr);
        String uid = csr.getMetadata().getUid();
        return new Entry(uid == null ? "" : uid, phase,
                inPlay.contains(phase) ? trimmed(csr) : null);
    }

    /** The fields a review or a signing reads, and the resourceVersion a write is conditional on. */
    private static CertificateSigningRequest trimmed(CertificateSigningRequest csr) {
        CertificateSigningRequest copy = new CertificateSigningRequest();
        copy.setApiVersion(csr.getApiVersion());
        copy.setKind(csr.getKind());
        copy.setMetadata(new ObjectMetaBuilder().withName(csr.getMetadata().getName())
                .withUid(csr.getMetadata().getUid()).withResourceVersion(csr.getMetadata().getResourceVersion())
                .withCreationTimestamp(csr.getMetadata().getCreationTimestamp()).build());
        copy.setSpec(csr.getSpec());
        if (csr.getStatus() != null) {
            copy.setStatus(new CertificateSigningRequestStatusBuilder().withConditions(csr.getStatus().getConditions())
                    .build());
        }
        return copy;
    }
}
