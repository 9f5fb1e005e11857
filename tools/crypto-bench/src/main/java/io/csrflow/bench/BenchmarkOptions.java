package io.csrflow.bench;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * What {@link CryptoBenchmarkMain} runs. Defaults give the robust measurement: 3 forks, 3 × 3 s
 * warm-up and 5 × 5 s measurement per benchmark and key pair, and {@code openssl speed} 3 s per
 * primitive before and after.
 */
record BenchmarkOptions(int forks, int warmupIterations, int warmupSeconds, int iterations, int seconds,
                        List<String> providers, List<String> benchmarks, int opensslSeconds, int opensslRuns) {

    static final String USAGE = """
            options:
              --quick                   1 fork, 1 × 1 s warm-up, 1 × 1 s measurement, openssl 1 s (a check, not a figure)
              --forks N                 JVM forks per benchmark and key pair (3)
              --warmup N --warmup-time S  warm-up iterations and seconds each (3, 3)
              --iterations N --time S   measurement iterations and seconds each (5, 5)
              --providers A,B           of BC, JDK, ACCP, auto (BC,JDK,ACCP)
              --only NAMES              benchmarks by method name (perCsr,parseAndVerify,buildAndSign);
                                        "parts" stands for every step benchmark (CsrReadingPartsBenchmark,
                                        IssuancePartsBenchmark), e.g. --only perCsr,parts
              --openssl-seconds S       openssl speed seconds per primitive (3)
              --openssl-runs N          openssl speed runs before and again after the benchmarks (1)
            """;

    static final List<String> PATH = names(CsrCryptoBenchmark.class);
    static final List<String> READING_PARTS = names(CsrReadingPartsBenchmark.class);
    static final List<String> ISSUANCE_PARTS = names(IssuancePartsBenchmark.class);
    static final List<String> PARTS = concat(READING_PARTS, ISSUANCE_PARTS);

    static BenchmarkOptions parse(String... args) {
        int forks = 3;
        int warmup = 3;
        int warmupTime = 3;
        int iterations = 5;
        int time = 5;
        List<String> providers = List.of("BC", "JDK", "ACCP");
        List<String> only = PATH;
        int opensslSeconds = 3;
        int opensslRuns = 1;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--quick")) {
                forks = 1;
                warmup = 1;
                warmupTime = 1;
                iterations = 1;
                time = 1;
                opensslSeconds = 1;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--forks" -> forks = positive(option, value);
                case "--warmup" -> warmup = positive(option, value);
                case "--warmup-time" -> warmupTime = positive(option, value);
                case "--iterations" -> iterations = positive(option, value);
                case "--time" -> time = positive(option, value);
                case "--providers" -> providers = List.of(value.split(","));
                case "--only" -> only = benchmarks(value);
                case "--openssl-seconds" -> opensslSeconds = positive(option, value);
                case "--openssl-runs" -> opensslRuns = positive(option, value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new BenchmarkOptions(forks, warmup, warmupTime, iterations, time, providers, only, opensslSeconds,
                opensslRuns);
    }

    /** JMH's include pattern for the chosen benchmarks (method names are unique over the three classes). */
    String include() {
        return "^" + CsrCryptoBenchmark.class.getPackageName().replace(".", "\\.") + "\\.("
                + String.join("|", CsrCryptoBenchmark.class.getSimpleName(),
                        CsrReadingPartsBenchmark.class.getSimpleName(), IssuancePartsBenchmark.class.getSimpleName())
                + ")\\.(" + String.join("|", benchmarks) + ")$";
    }

    /**
     * Roughly how long the run takes: per fork of each benchmark and parameter set its iterations
     * and about 2 s to start the JVM and set up (two node keys for the CSR-reading parts, four key
     * pairs for the rest), and openssl's four primitives per run.
     */
    long expectedSeconds() {
        long perFork = (long) warmupIterations * warmupSeconds + (long) iterations * seconds + 2;
        long runs = benchmarks.stream().mapToLong(b -> READING_PARTS.contains(b) ? 2 : 4).sum();
        long jmh = runs * providers.size() * forks * perFork;
        long openssl = 2L * opensslRuns * 4 * opensslSeconds;
        return jmh + openssl;
    }

    private static List<String> benchmarks(String value) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : value.split(",")) {
            if (name.equals("parts")) {
                chosen.addAll(PARTS);
            } else if (PATH.contains(name) || PARTS.contains(name)) {
                chosen.add(name);
            } else {
                throw new IllegalArgumentException("no benchmark " + name + "; there are " + PATH + ", parts: " + PARTS);
            }
        }
        return List.copyOf(chosen);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static int positive(String option, String value) {
        int number = Integer.parseInt(value);
        if (number < 1) {
            throw new IllegalArgumentException(option + " must be at least 1");
        }
        return number;
    }

    private static List<String> names(Class<?> type) {
        List<String> names = new ArrayList<>();
        Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class)).map(Method::getName)
                .sorted().forEach(names::add);
        return List.copyOf(names);
    }
}
