package io.csrflow.fleet;

import java.util.List;

/** The whole fleet at a glance, plus every node's report. */
record FleetReport(int nodes, int clientIssued, int servingIssued, int ready, int servingRefused, int failed,
                   int clientRotations, int servingRotations, int renewalNotices, int otherNotices,
                   List<NodeReport> nodeReports) {

    static FleetReport of(List<NodeReport> reports, int notices, int otherNotices) {
        return new FleetReport(reports.size(),
                (int) reports.stream().filter(r -> r.client().serial() != null).count(),
                (int) reports.stream().filter(r -> r.serving().serial() != null).count(),
                count(reports, "READY"), count(reports, "SERVING_REFUSED"), count(reports, "FAILED"),
                reports.stream().mapToInt(r -> r.client().rotations()).sum(),
                reports.stream().mapToInt(r -> r.serving().rotations()).sum(),
                notices, otherNotices, reports);
    }

    private static int count(List<NodeReport> reports, String phase) {
        return (int) reports.stream().filter(r -> r.phase().equals(phase)).count();
    }

    /** One line for a terminal. */
    String summary() {
        return "nodes " + nodes + ": client certificates " + clientIssued + ", serving " + servingIssued
                + ", ready " + ready + ", serving refused " + servingRefused + ", failed " + failed
                + "; rotations client " + clientRotations + " serving " + servingRotations
                + "; renewal notices " + renewalNotices;
    }
}
