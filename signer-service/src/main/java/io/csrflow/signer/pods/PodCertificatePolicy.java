package io.csrflow.signer.pods;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import io.csrflow.events.PodCertificateObserved;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.PodKeyType;
import io.csrflow.pki.ProofOfPossession;
import io.csrflow.pki.SignerProfile;

/**
 * Decides a PodCertificateRequest for one signer. The API server has checked that the node, the pod
 * and its service account match and that the proof of possession verifies; the signer checks again
 * what it signs for (the key and its proof, the pod still being the one that asked), then its own
 * rules: no user annotations (it defines none, and the API asks signers to deny keys they do not
 * know), a key type it issues to, a pod its allow-list admits, a lifetime of at least the hour the
 * API requires. Checks run in a fixed order so the same request always gets the same answer.
 */
public final class PodCertificatePolicy {
    static final String UNSUPPORTED_KEY_TYPE = "UnsupportedKeyType";
    static final String INVALID_ANNOTATIONS = "InvalidUnverifiedUserAnnotations";
    /** The API's default for spec.maxExpirationSeconds, and its floor for every certificate's lifetime. */
    static final Duration DEFAULT_MAX_EXPIRATION = Duration.ofHours(24);
    public static final Duration MINIMUM_LIFETIME = Duration.ofHours(1);

    private PodCertificatePolicy() {
    }

    public static PodAnswer decide(PodCertificateObserved request, PodCertificateSettings settings,
            SignerProfile profile, PodNeighbourhood around) {
        if (!request.unverifiedUserAnnotations().isEmpty()) {
            return new PodAnswer.Deny("annotations", INVALID_ANNOTATIONS, "signer " + request.signerName()
                    + " defines no unverifiedUserAnnotations; remove " + new TreeSet<>(request.unverifiedUserAnnotations()
                    .keySet()));
        }
        byte[] key;
        byte[] proof;
        try {
            key = Base64.getDecoder().decode(request.pkixPublicKey() == null ? "" : request.pkixPublicKey());
            proof = Base64.getDecoder().decode(request.proofOfPossession() == null ? "" : request.proofOfPossession());
        } catch (IllegalArgumentException e) {
            return new PodAnswer.Deny("key", UNSUPPORTED_KEY_TYPE, "pkixPublicKey or proofOfPossession is not base64");
        }
        PodKeyType type;
        try {
            type = PodKeyType.of(key);
        } catch (CsrRejectedException e) {
            return new PodAnswer.Deny("key", UNSUPPORTED_KEY_TYPE, e.getMessage() + "; signer " + request.signerName()
                    + " issues to " + supported(settings));
        }
        if (!settings.keyTypes().contains(type)) {
            return new PodAnswer.Deny("key-type", UNSUPPORTED_KEY_TYPE, "key type " + type + " is not issued by signer "
                    + request.signerName() + "; use " + supported(settings));
        }
        if (request.podUid() == null || !ProofOfPossession.verify(type, key, request.podUid(), proof)) {
            return new PodAnswer.Deny("proof-of-possession", "InvalidProofOfPossession", "proofOfPossession is not a "
                    + type + " signature by pkixPublicKey over the pod's UID " + request.podUid());
        }
        String pod = "Pod " + request.namespace() + "/" + request.podName();
        Optional<PodNeighbourhood.Pod> live = around.pod();
        if (live.isEmpty() || !live.get().uid().equals(request.podUid())) {
            return new PodAnswer.Deny("pod", "PodGone", pod + " (uid " + request.podUid() + ") no longer exists");
        }
        if (live.get().finished()) {
            return new PodAnswer.Deny("pod", "PodFinished", pod + " has finished");
        }
        if (!live.get().serviceAccount().equals(request.serviceAccountName())
                || !live.get().nodeName().equals(request.nodeName())) {
            return new PodAnswer.Deny("pod", "PodMismatch", pod + " runs as service account "
                    + live.get().serviceAccount() + " on node " + live.get().nodeName() + ", not as "
                    + request.serviceAccountName() + " on " + request.nodeName());
        }
        if (settings.allow().stream().noneMatch(rule -> rule.admits(request.namespace(), request.serviceAccountName(),
                live.get().labels()))) {
            return new PodAnswer.Deny("allow-list", "NotAllowed", pod + " (service account "
                    + request.serviceAccountName() + ", labels " + live.get().labels() + ") matches no "
                    + "pod-certificates.allow rule of signer " + request.signerName() + ": "
                    + String.join("; ", settings.allow().stream().map(PodAllowRule::describe).toList()));
        }
        Duration asked = request.maxExpirationSeconds() == null ? DEFAULT_MAX_EXPIRATION
                : Duration.ofSeconds(request.maxExpirationSeconds());
        Duration lifetime = asked.compareTo(profile.maxDuration()) < 0 ? asked : profile.maxDuration();
        if (lifetime.compareTo(MINIMUM_LIFETIME) < 0) {
            return new PodAnswer.Fail("lifetime", "SignerValidationFailure", "signer " + request.signerName()
                    + " issues for at most " + profile.maxDuration() + " (profile.max-duration), shorter than the "
                    + "hour a pod certificate must last");
        }
        String spiffeId = settings.spiffeId(request.namespace(), request.serviceAccountName());
        ServiceNames.Found services = settings.serviceNames()
                ? ServiceNames.of(request.namespace(), request.podName(), request.serviceAccountName(), around, settings)
                : new ServiceNames.Found(List.of(), List.of(), List.of());
        int sans = 1 + services.dnsNames().size();
        if (sans > profile.maxSans()) {
            return new PodAnswer.Deny("max-sans", "TooManyNames", pod + " backs " + services.services().size()
                    + " Services, " + sans + " names with its identity; signer " + request.signerName()
                    + " allows at most " + profile.maxSans() + " (profile.max-sans)");
        }
        StringBuilder note = new StringBuilder(spiffeId);
        if (!services.services().isEmpty()) {
            note.append(", names of ").append(String.join(", ", services.services()));
        }
        if (!services.left().isEmpty()) {
            note.append("; no names of ").append(String.join("; ", services.left()));
        }
        return new PodAnswer.Issue(spiffeId, services.dnsNames(), lifetime, note.toString());
    }

    private static String supported(PodCertificateSettings settings) {
        return String.join(", ", settings.keyTypes().stream().map(Enum::name).sorted().toList());
    }
}
