package io.csrflow.bench;

import java.util.Arrays;

/** Order statistics of a handful of scores: medians and quartiles, which one slow iteration cannot drag. */
final class Stats {
    private Stats() {
    }

    static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /** Linear interpolation between the closest ranks (the usual "type 7" definition). */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = q * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
