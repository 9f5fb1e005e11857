package io.csrflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Operations per second of the benchmark thread's CPU time, beside JMH's per second of wall time.
 * {@code openssl speed} divides by its user CPU time unless told {@code -elapsed}; on a shared
 * machine, where a thread waits for a core, only a CPU-time rate compares with it. Only the JMH
 * worker's own time counts: the JIT compiler's and the collector's threads are not the work, and
 * would make a short run look slower than a long one (the garbage collector's share of the cost is
 * in the wall-time rate).
 */
public final class CpuTimeProfiler implements InternalProfiler {
    static final String LABEL = "cpu";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> start = Map.of();

    @Override
    public String getDescription() {
        return "operations per second of the benchmark thread's CPU time";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        start = workerTimes();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long nanos = 0;
        for (Map.Entry<Long, Long> worker : workerTimes().entrySet()) {
            // A worker started during the iteration has used all its time in it.
            nanos += worker.getValue() - start.getOrDefault(worker.getKey(), 0L);
        }
        // Every operation the worker ran between the two readings, not only the timed window's.
        long ops = result.getMetadata().getAllOps();
        double rate = nanos <= 0 ? Double.NaN : ops * 1e9 / nanos;
        return List.of(new ScalarResult(LABEL, rate, "ops/s", AggregationPolicy.AVG));
    }

    private Map<Long, Long> workerTimes() {
        Map<Long, Long> times = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("jmh-worker")) {
                long time = threads.getThreadCpuTime(info.getThreadId());
                if (time >= 0) {
                    times.put(info.getThreadId(), time);
                }
            }
        }
        return times;
    }
}
