package io.csrflow.fleet;

import java.util.List;

/** The whole fleet at a glance, plus every node's report. */
record FleetReport(int nodes, int clientIssued, int servingIssued, int ready, int servingRefused, int failed,
                   int clientRotations, int servingRotations, int renewalNotices, int otherNotices,
                   List<NodeReport> nodeReports, WorkloadsSummary workloadsSummary, List<WorkloadReport> workloads) {

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

    static FleetReport of(List<NodeReport> reports, int notices, int otherNotices, List<WorkloadReport> workloads) {
        return new FleetReport(reports.size(),
                (int) reports.stream().filter(r -> r.client().serial() != null).count(),
                (int) reports.stream().filter(r -> r.serving().serial() != null).count(),
                count(reports, "READY"), count(reports, "SERVING_REFUSED"), count(reports, "FAILED"),
                reports.stream().mapToInt(r -> r.client().rotations()).sum(),
                reports.stream().mapToInt(r -> r.serving().rotations()).sum(),
                notices, otherNotices, reports, WorkloadsSummary.of(workloads), workloads);
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
                        + workloadsSummary.rotations());
    }
}
