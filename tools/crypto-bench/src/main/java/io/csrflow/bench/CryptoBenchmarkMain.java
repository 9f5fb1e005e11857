package io.csrflow.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CsrCryptoBenchmark} (and, on request, its steps: {@link CsrReadingPartsBenchmark},
 * {@link IssuancePartsBenchmark}) between two runs of
 * {@code openssl speed} for the same primitives, and prints each result's median and spread beside
 * the median OpenSSL figure, as a ratio:
 * {@code java -cp "crypto-bench.jar:lib/*" io.csrflow.bench.CryptoBenchmarkMain [options]} (see
 * {@link BenchmarkOptions#USAGE}). OpenSSL runs before and after so that a machine whose speed
 * changed during the run (another load, thermal limits) shows as a spread in the reference. The JVM
 * that runs it is the runtime measured (run it with each JDK to compare).
 */
public final class CryptoBenchmarkMain {
    private CryptoBenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        System.out.printf("%s; about %d min%n", options.include(), (options.expectedSeconds() + 59) / 60);
        List<OpensslSpeed> openssl = new ArrayList<>();
        measureOpenssl(options, openssl);
        Collection<RunResult> results = run(options);
        measureOpenssl(options, openssl);
        System.out.println(ComparisonReport.of(options, results, openssl));
    }

    private static void measureOpenssl(BenchmarkOptions options, List<OpensslSpeed> into) {
        for (int i = 0; i < options.opensslRuns(); i++) {
            into.add(OpensslSpeed.measure(options.opensslSeconds()));
        }
    }

    static Collection<RunResult> run(BenchmarkOptions options) throws Exception {
        return new Runner(new OptionsBuilder()
                .include(options.include())
                .param("provider", options.providers().toArray(String[]::new))
                .forks(options.forks())
                .threads(1)
                .warmupIterations(options.warmupIterations())
                .warmupTime(TimeValue.seconds(options.warmupSeconds()))
                .measurementIterations(options.iterations())
                .measurementTime(TimeValue.seconds(options.seconds()))
                .addProfiler(CpuTimeProfiler.class)
                .shouldFailOnError(true)
                .build()).run();
    }
}
