package io.csrflow.scheduler.pods;

/**
 * Whether a pod a certificate was issued to still runs, asked of the Kubernetes API when the
 * certificate is overdue. Only that moment needs an answer, so there is no informer (and no copy of
 * every pod in the cluster), one GET per overdue certificate instead.
 */
public interface PodDirectory {

    /** What became of the pod. */
    enum Presence {
        /** There: the same pod (UID), neither finished nor being deleted, so its kubelet should refresh its certificates. */
        PRESENT,
        /** No pod of that name. */
        GONE,
        /** A pod of that name, but another one (another UID): the certificate's pod was deleted. */
        REPLACED,
        /** The same pod, but Succeeded, Failed or being deleted: its kubelet refreshes nothing any more. */
        FINISHED,
        /** No answer (API away, access refused): ask again later. */
        UNKNOWN
    }

    /** The answer and, for the log, what it rests on ("phase Succeeded", "uid 1234", the API's error). */
    record Answer(Presence presence, String detail) {
    }

    /**
     * @param uid the UID of the pod the certificate was issued to; null when the request did not say,
     *            and then any pod of that name counts as the same
     */
    Answer lookup(String namespace, String name, String uid);

    /** For deployments without the Kubernetes API: never an answer, so nothing is reported or dropped. */
    PodDirectory NONE = (namespace, name, uid) -> new Answer(Presence.UNKNOWN, "pod lookups are off");
}
