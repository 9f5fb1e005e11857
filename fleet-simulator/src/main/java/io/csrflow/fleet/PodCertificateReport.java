package io.csrflow.fleet;

import java.time.Instant;
import java.util.List;

/**
 * What one pod's {@code podCertificate} volume went through, for {@code /status}: {@code node} is the
 * pod's, {@code requestingNode} the kubelet that asked; the counts are of PodCertificateRequests
 * ({@code refusedByApi} those the API would not create); {@code refusal} is the last refusal, and for a
 * misbehaving pod {@code expectedRefusal} what it had to be; {@code trusted} says the current chain
 * validates against the signer's ClusterTrustBundles; {@code volume} what the kubelet wrote into the
 * volume (the credential bundle's PEM blocks).
 */
record PodCertificateReport(String namespace, String pod, String node, String requestingNode, String serviceAccount,
                            String behaviour, String expectedRefusal, String keyType, String phase, int issued,
                            int refreshed, int refusedByApi, int denied, int failed, String lastRequest,
                            String lastSerial, Instant notAfter, Instant beginRefreshAt, Instant refreshAt,
                            boolean trusted, PodCertificateOutcome.Refused refusal, int verificationFailures,
                            List<String> verificationProblems, String lastError, String volume) {
}
