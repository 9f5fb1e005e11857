package io.csrflow.bench;

import java.util.ArrayList;
import java.util.List;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark's scores over all forks: the median and quartiles of its measurement iterations
 * (wall time, and CPU time where {@link CpuTimeProfiler} ran), and the lowest and highest fork mean,
 * which shows what differs between JVMs (code layout, JIT decisions) rather than between iterations.
 * {@code trend} is the median over forks of last iteration / first iteration − 1: well above zero,
 * the code was still being compiled when measurement began, and the warm-up was too short.
 */
record ScoreSummary(int forks, int iterations, double median, double p25, double p75, double forkMin,
                    double forkMax, double cpuMedian, double cpuP25, double cpuP75, double trend) {

    static ScoreSummary of(RunResult result) {
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> forkMeans = new ArrayList<>();
        List<Double> trends = new ArrayList<>();
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            forkMeans.add(fork.getPrimaryResult().getScore());
            List<IterationResult> iterations = new ArrayList<>(fork.getIterationResults());
            trends.add(iterations.get(iterations.size() - 1).getPrimaryResult().getScore()
                    / iterations.get(0).getPrimaryResult().getScore() - 1);
            for (IterationResult iteration : iterations) {
                wall.add(iteration.getPrimaryResult().getScore());
                Result cpuRate = iteration.getSecondaryResults().get(CpuTimeProfiler.LABEL);
                if (cpuRate != null && !Double.isNaN(cpuRate.getScore())) {
                    cpu.add(cpuRate.getScore());
                }
            }
        }
        double[] w = array(wall);
        double[] c = array(cpu);
        double[] f = array(forkMeans);
        return new ScoreSummary(f.length, w.length, Stats.median(w), Stats.quantile(w, 0.25),
                Stats.quantile(w, 0.75), Stats.quantile(f, 0), Stats.quantile(f, 1), Stats.median(c),
                Stats.quantile(c, 0.25), Stats.quantile(c, 0.75), Stats.median(array(trends)));
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
