package io.csrflow.fleet;

import java.util.List;

/** The whole fleet at a glance, plus every node's, workload's and pod certificate's report. */
record FleetReport(int nodes, int clientIssued, int servingIssued, int ready, int servingRefused, int failed,
                   int clientRotations, int servingRotations, int renewalNotices, int otherNotices,
                   List<NodeReport> nodeReports, WorkloadsSummary workloadsSummary, List<WorkloadReport> workloads,
                   PodCertificatesSummary podCertificatesSummary, List<PodCertificateReport> podCertificates) {

    /** The workloads at a glance: certified ones, those whose certificate their namespace's bundle vouches for, denied ones. */
    record WorkloadsSummary(int workloads, int certified, int trusted, int denied, int rotations) {
        static WorkloadsSummary of(List<WorkloadReport> reports) {
            return new WorkloadsSummary(reports.size(),
                    (int) reports.stream().filter(r -> r.certificate().serial() != null).count(),
                    (int) reports.stream().filter(WorkloadReport::trusted).count(),
                    (int) reports.stream().filter(r -> r.phase().equals("DENIED")).count(),
                    reports.stream().mapToInt(r -> r.certificate().rotations()).sum());
        }
    }

    /**
     * The pods with pod certificates at a glance: {@code holding} well-behaved pods with a credential
     * bundle, {@code trusted} those whose chain validates against the signer's ClusterTrustBundles; the
     * request counts ({@code refusedByApi} not created by the API); of the misbehaving pods, those
     * refused as they must be and those that were not ({@code notRefused}: a failure).
     */
    record PodCertificatesSummary(int pods, int holding, int trusted, int issued, int refreshed, int refusedByApi,
                                  int denied, int failed, int verificationFailures, int misbehaving,
                                  int refusedAsExpected, int notRefused) {
        static PodCertificatesSummary of(List<PodCertificateReport> reports) {
            List<PodCertificateReport> holding = reports.stream()
                    .filter(r -> r.phase().equals("ISSUED") || r.phase().equals("REFRESHING")).toList();
            return new PodCertificatesSummary(reports.size(), holding.size(),
                    (int) holding.stream().filter(PodCertificateReport::trusted).count(),
                    reports.stream().mapToInt(PodCertificateReport::issued).sum(),
                    reports.stream().mapToInt(PodCertificateReport::refreshed).sum(),
                    reports.stream().mapToInt(PodCertificateReport::refusedByApi).sum(),
                    reports.stream().mapToInt(PodCertificateReport::denied).sum(),
                    reports.stream().mapToInt(PodCertificateReport::failed).sum(),
                    reports.stream().mapToInt(PodCertificateReport::verificationFailures).sum(),
                    (int) reports.stream().filter(r -> r.expectedRefusal() != null).count(),
                    (int) reports.stream().filter(r -> r.phase().equals("REFUSED")).count(),
                    (int) reports.stream().filter(r -> r.phase().equals("NOT_REFUSED")).count());
        }

        String line() {
            return "; pod certificates " + pods + ": issued " + issued + " (holding " + holding + ", trusted " + trusted
                    + "), refreshed " + refreshed + ", refused by the API " + refusedByApi + ", denied " + denied
                    + ", failed " + failed + ", verification failures " + verificationFailures
                    + (misbehaving == 0 ? "" : "; misbehaving " + misbehaving + ": refused as expected "
                            + refusedAsExpected + ", not refused " + notRefused);
        }
    }

    static FleetReport of(List<NodeReport> reports, int notices, int otherNotices, List<WorkloadReport> workloads,
            List<PodCertificateReport> podCertificates) {
        return new FleetReport(reports.size(),
                (int) reports.stream().filter(r -> r.client().serial() != null).count(),
                (int) reports.stream().filter(r -> r.serving().serial() != null).count(),
                count(reports, "READY"), count(reports, "SERVING_REFUSED"), count(reports, "FAILED"),
                reports.stream().mapToInt(r -> r.client().rotations()).sum(),
                reports.stream().mapToInt(r -> r.serving().rotations()).sum(),
                notices, otherNotices, reports, WorkloadsSummary.of(workloads), workloads,
                PodCertificatesSummary.of(podCertificates), podCertificates);
    }

    private static int count(List<NodeReport> reports, String phase) {
        return (int) reports.stream().filter(r -> r.phase().equals(phase)).count();
    }

    /** One line for a terminal. */
    String summary() {
        return "nodes " + nodes + ": client certificates " + clientIssued + ", serving " + servingIssued
                + ", ready " + ready + ", serving refused " + servingRefused + ", failed " + failed
                + "; rotations client " + clientRotations + " serving " + servingRotations
                + "; renewal notices " + renewalNotices
                + (workloads.isEmpty() ? "" : "; workloads " + workloadsSummary.workloads() + ": certified "
                        + workloadsSummary.certified() + " (trusted by their namespace's bundle "
                        + workloadsSummary.trusted() + "), denied " + workloadsSummary.denied() + ", rotations "
                        + workloadsSummary.rotations())
                + (podCertificates.isEmpty() ? "" : podCertificatesSummary.line());
    }
}
