package io.csrflow.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;

import io.csrflow.bench.BenchmarkMaterial.KeyType;

/**
 * The benchmark's results beside OpenSSL's: per benchmark and key pair, the median of all
 * measurement iterations with its quartiles and the range of the fork means, per second of wall
 * time and per second of the benchmark thread's CPU time, and the ratio of each median to the median OpenSSL figure for
 * the same primitives. OpenSSL counts user CPU time, so the CPU ratio is the like-for-like one; on
 * an idle machine the two agree.
 */
final class ComparisonReport {
    private ComparisonReport() {
    }

    static String of(BenchmarkOptions options, Collection<RunResult> results, List<OpensslSpeed> openssl) {
        OpensslSpeed reference = OpensslSpeed.median(openssl);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nJava %s (%s), one thread; %s, one core%n",
                System.getProperty("java.version"), System.getProperty("java.vm.vendor"), reference.version()));
        out.append(String.format(Locale.ROOT, "JMH: %d fork(s), %d × %d s warm-up, %d × %d s measurement%n",
                options.forks(), options.warmupIterations(), options.warmupSeconds(), options.iterations(),
                options.seconds()));
        out.append(String.format(Locale.ROOT, "openssl speed, ops/s of user CPU, %d run(s) before and %d after:%n",
                options.opensslRuns(), options.opensslRuns()));
        OpensslSpeed.spread(openssl).forEach(line -> out.append("  ").append(line).append('\n'));
        out.append(String.format(Locale.ROOT, "%n%-8s %-9s %-9s %-27s %9s %17s %17s %9s %17s %8s %6s %9s %6s %6s%n",
                "provider", "node key", "CA key", "benchmark", "ops/s", "p25-p75", "fork min-max", "cpu ops/s",
                "cpu p25-p75", "cpu µs", "trend", "openssl", "ratio", "cpu"));
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(ComparisonReport::label));
        for (RunResult result : sorted) {
            var params = result.getParams();
            KeyType node = KeyType.valueOf(params.getParam("nodeKey"));
            String caParam = params.getParam("caKey");
            KeyType ca = caParam == null ? null : KeyType.valueOf(caParam);
            String benchmark = name(result);
            ScoreSummary s = ScoreSummary.of(result);
            double opensslRate = reference(benchmark, reference, node, ca);
            out.append(String.format(Locale.ROOT, "%-8s %-9s %-9s %-27s %9.0f %17s %17s %9.0f %17s %8.1f %6s %9s %6s %6s%n",
                    params.getParam("provider"), node, ca == null ? "-" : ca, benchmark, s.median(), range(s.p25(), s.p75()),
                    range(s.forkMin(), s.forkMax()), s.cpuMedian(), range(s.cpuP25(), s.cpuP75()),
                    1e6 / s.cpuMedian(), String.format(Locale.ROOT, "%+.0f%%", 100 * s.trend()),
                    Double.isNaN(opensslRate) ? "-" : String.format(Locale.ROOT, "%.0f", opensslRate),
                    ratio(s.median(), opensslRate), ratio(s.cpuMedian(), opensslRate)));
        }
        out.append("""
                ops/s: median of all measurement iterations over all forks (wall time); p25-p75 their quartiles;
                fork min-max the lowest and highest fork mean; cpu: the same per second of the benchmark thread's CPU
                time (not the JIT's or the collector's), cpu µs = 1e6 / cpu ops/s (the parts add up to about the whole); trend: last iteration / first − 1,
                median over forks (well above 0: still compiling, warm up longer). openssl: the median run's rate for
                the primitives the benchmark performs: verify (node key) for parseAndVerify and primitiveVerifyNode,
                sign (CA key) for buildAndSign and primitiveSignCa, verify (CA key) for the CA-side checks, and for
                perCsr the rate of verify(node) + sign(CA) + verify(CA), the primitives one CSR costs.
                ratio = ops/s / openssl; cpu = cpu ops/s / openssl, the like-for-like comparison.
                """);
        return out.toString();
    }

    /** OpenSSL's rate for what the benchmark does, or NaN where it is no primitive of OpenSSL's. */
    static double reference(String benchmark, OpensslSpeed openssl, KeyType node, KeyType ca) {
        return switch (benchmark) {
            case "parseAndVerify", "primitiveVerifyNode" -> openssl.verify(node);
            case "buildAndSign", "primitiveSignCa" -> openssl.sign(ca);
            case "perCsr" -> openssl.perCsr(node, ca);
            case "primitiveVerifyCa", "verifyCaWithCertificateKey", "issuanceCheck" ->
                    openssl.verify(ca);
            default -> Double.NaN;
        };
    }

    private static String name(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    private static String range(double low, double high) {
        return Double.isNaN(low) ? "-" : String.format(Locale.ROOT, "%.0f-%.0f", low, high);
    }

    private static String ratio(double score, double reference) {
        return Double.isNaN(reference) || Double.isNaN(score) ? "-" : String.format(Locale.ROOT, "%.2f",
                score / reference);
    }

    private static String label(RunResult result) {
        var p = result.getParams();
        String benchmark = p.getBenchmark();
        // The whole path first, then its parts.
        int order = benchmark.contains(CsrCryptoBenchmark.class.getSimpleName()) ? 0
                : benchmark.contains(CsrReadingPartsBenchmark.class.getSimpleName()) ? 1 : 2;
        return order + p.getParam("provider") + p.getParam("nodeKey") + p.getParam("caKey") + benchmark;
    }
}
