package io.csrflow.signer.pods;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import io.csrflow.events.PodCertificateObserved;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.PodKeyType;
import io.csrflow.pki.ProofOfPossession;
import io.csrflow.pki.SignerProfile;

/**
 * Decides a PodCertificateRequest for one signer. The API server checks, for a kubelet's request,
 * that the node, the pod and its service account match and that the proof of possession verifies;
 * anyone else with RBAC create is not held to the pod. So the signer checks again what it signs for
 * (the key and its proof, the pod still being the one named, on that node, as that account), then its
 * own rules: no user annotations (it defines none, and the API asks signers to deny keys they do not
 * know), a key type it issues to, a pod its allow-list admits, a lifetime of at least the hour the API
 * requires. Checks run in a fixed order so the same request always gets the same answer; those that
 * need no API read ({@link #beforeLookup}) come first, so a request refused by them costs no read.
 */
public final class PodCertificatePolicy {
    static final String UNSUPPORTED_KEY_TYPE = "UnsupportedKeyType";
    static final String INVALID_ANNOTATIONS = "InvalidUnverifiedUserAnnotations";
    static final String INVALID_PROOF = "InvalidProofOfPossession";
    /** The API's default for spec.maxExpirationSeconds, and its floor for every certificate's lifetime. */
    static final Duration DEFAULT_MAX_EXPIRATION = Duration.ofHours(24);
    public static final Duration MINIMUM_LIFETIME = Duration.ofHours(1);

    private PodCertificatePolicy() {
    }

    /** The refusal a request earns from itself alone (annotations, key, proof), before anything is read. */
    public static Optional<PodAnswer> beforeLookup(PodCertificateObserved request, PodCertificateSettings settings) {
        if (!request.unverifiedUserAnnotations().isEmpty()) {
            return Optional.of(new PodAnswer.Deny("annotations", INVALID_ANNOTATIONS, "signer " + request.signerName()
                    + " defines no unverifiedUserAnnotations; remove "
                    + new TreeSet<>(request.unverifiedUserAnnotations().keySet())));
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(request.pkixPublicKey() == null ? "" : request.pkixPublicKey());
        } catch (IllegalArgumentException e) {
            return Optional.of(new PodAnswer.Deny("key", UNSUPPORTED_KEY_TYPE, "pkixPublicKey is not base64"));
        }
        PodKeyType type;
        try {
            type = PodKeyType.of(key);
        } catch (CsrRejectedException e) {
            return Optional.of(new PodAnswer.Deny("key", UNSUPPORTED_KEY_TYPE, e.getMessage() + "; signer "
                    + request.signerName() + " issues to " + supported(settings)));
        }
        if (!settings.keyTypes().contains(type)) {
            return Optional.of(new PodAnswer.Deny("key-type", UNSUPPORTED_KEY_TYPE, "key type " + type
                    + " is not issued by signer " + request.signerName() + "; use " + supported(settings)));
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(request.proofOfPossession() == null ? "" : request.proofOfPossession());
        } catch (IllegalArgumentException e) {
            return Optional.of(new PodAnswer.Deny("proof-of-possession", INVALID_PROOF, "proofOfPossession is not "
                    + "base64"));
        }
        if (request.podUid() == null || !ProofOfPossession.verify(type, key, request.podUid(), proof)) {
            return Optional.of(new PodAnswer.Deny("proof-of-possession", INVALID_PROOF, "proofOfPossession is not a "
                    + type + " signature by pkixPublicKey over the pod's UID " + request.podUid()));
        }
        return Optional.empty();
    }

    /**
     * The answer, with what the API shows around the pod: {@code around} need hold the Services only
     * once the pod has passed (an Issue read without them names no Service; read them and decide again).
     */
    public static PodAnswer decide(PodCertificateObserved request, PodCertificateSettings settings,
            SignerProfile profile, PodNeighbourhood around) {
        Optional<PodAnswer> early = beforeLookup(request, settings);
        return early.isPresent() ? early.get() : afterLookup(request, settings, profile, around);
    }

    /**
     * The rest of {@link #decide}, for a request {@link #beforeLookup} has passed: the pod, the
     * allow-list, the lifetime and the names. A caller that decides again once it has read the Services
     * runs only this part again, so the proof of possession is verified once.
     */
    static PodAnswer afterLookup(PodCertificateObserved request, PodCertificateSettings settings,
            SignerProfile profile, PodNeighbourhood around) {
        String pod = "Pod " + request.namespace() + "/" + request.podName();
        Optional<PodNeighbourhood.Pod> live = around.pod();
        if (live.isEmpty() || !live.get().uid().equals(request.podUid())) {
            return new PodAnswer.Deny("pod", "PodGone", pod + " (uid " + request.podUid() + ") no longer exists");
        }
        if (live.get().finished()) {
            return new PodAnswer.Deny("pod", "PodFinished", pod + " has finished or is being deleted");
        }
        if (!live.get().serviceAccount().equals(request.serviceAccountName())
                || !live.get().nodeName().equals(request.nodeName())) {
            return new PodAnswer.Deny("pod", "PodMismatch", pod + " runs as service account "
                    + live.get().serviceAccount() + " on node " + live.get().nodeName() + ", not as "
                    + request.serviceAccountName() + " on " + request.nodeName());
        }
        if (settings.allow().stream().noneMatch(rule -> rule.admits(request.namespace(), request.serviceAccountName(),
                live.get().labels()))) {
            // The rules themselves are not listed: they would tell every namespace about the others.
            return new PodAnswer.Deny("allow-list", "NotAllowed", pod + " (service account "
                    + request.serviceAccountName() + ", labels " + new TreeMap<>(live.get().labels())
                    + ") matches none of the " + settings.allow().size() + " pod-certificates.allow rules of signer "
                    + request.signerName());
        }
        Duration asked = request.maxExpirationSeconds() == null ? DEFAULT_MAX_EXPIRATION
                : Duration.ofSeconds(request.maxExpirationSeconds());
        Duration lifetime = asked.compareTo(profile.maxDuration()) < 0 ? asked : profile.maxDuration();
        if (lifetime.compareTo(MINIMUM_LIFETIME) < 0) {
            return new PodAnswer.Fail("lifetime", "SignerValidationFailure", "a lifetime of " + lifetime
                    + " (the shorter of maxExpirationSeconds " + asked.toSeconds() + " s and signer "
                    + request.signerName() + "'s profile.max-duration " + profile.maxDuration()
                    + ") is shorter than the hour a pod certificate must last");
        }
        String spiffeId = settings.spiffeId(request.namespace(), request.serviceAccountName());
        ServiceNames.Found services = settings.serviceNames()
                ? ServiceNames.of(request.namespace(), request.podName(), request.serviceAccountName(), around, settings)
                : new ServiceNames.Found(List.of(), List.of(), List.of());
        // Whole Services, in name order, as many as the profile's max-sans leaves room for beside the
        // identity: more Services selecting the pod must not cost it its certificate.
        List<String> names = new ArrayList<>();
        List<String> named = new ArrayList<>();
        List<String> left = new ArrayList<>(services.left());
        for (int i = 0; i < services.services().size(); i++) {
            List<String> ofService = services.dnsNames().subList(2 * i, 2 * i + 2);
            if (1 + names.size() + ofService.size() > profile.maxSans()) {
                left.add(services.services().get(i) + " does not fit: signer " + request.signerName()
                        + " allows " + profile.maxSans() + " names (profile.max-sans)");
                continue;
            }
            names.addAll(ofService);
            named.add(services.services().get(i));
        }
        StringBuilder note = new StringBuilder(spiffeId);
        if (!named.isEmpty()) {
            note.append(", names of ").append(String.join(", ", named));
        }
        if (!left.isEmpty()) {
            note.append("; no names of ").append(String.join("; ", left));
        }
        return new PodAnswer.Issue(spiffeId, names, lifetime, note.toString());
    }

    private static String supported(PodCertificateSettings settings) {
        return String.join(", ", settings.keyTypes().stream().map(Enum::name).sorted().toList());
    }
}
