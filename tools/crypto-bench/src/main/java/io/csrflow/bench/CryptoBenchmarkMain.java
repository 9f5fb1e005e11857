package io.csrflow.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import io.csrflow.bench.BenchmarkMaterial.KeyType;

/**
 * Runs {@link CsrCryptoBenchmark} and prints each result beside {@code openssl speed} for the same
 * primitives on this machine, as a ratio:
 * {@code java -cp "crypto-bench.jar:lib/*" io.csrflow.bench.CryptoBenchmarkMain [--quick] [--providers BC,JDK,ACCP]
 * [--only perCsr]}.
 * The JVM that runs it is the runtime measured (run it with each JDK to compare).
 */
public final class CryptoBenchmarkMain {
    private CryptoBenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String providers = "BC,JDK,ACCP";
        String only = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--providers" -> providers = args[++i];
                case "--only" -> only = "." + args[++i];
                default -> {
                    System.err.println("options: --quick, --providers BC,JDK,ACCP, --only parseAndVerify|buildAndSign|perCsr");
                    System.exit(2);
                }
            }
        }
        System.out.println(report(run(quick, providers.split(","), only), OpensslSpeed.measure(quick ? 1 : 3)));
    }

    static Collection<RunResult> run(boolean quick, String[] providers, String only) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CsrCryptoBenchmark.class.getSimpleName() + only)
                .param("provider", providers)
                .forks(1)
                .threads(1)
                .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 1 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 3))
                .shouldFailOnError(true);
        return new Runner(options.build()).run();
    }

    static String report(Collection<RunResult> results, OpensslSpeed openssl) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nJava %s (%s), one thread; %s, one core%n",
                System.getProperty("java.version"), System.getProperty("java.vm.vendor"), openssl.version()));
        out.append(String.format(Locale.ROOT, "%-8s %-9s %-9s %-15s %12s %12s %7s%n", "provider", "node key", "CA key",
                "benchmark", "ops/s", "openssl", "ratio"));
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> label(a).compareTo(label(b)));
        for (RunResult result : sorted) {
            var params = result.getParams();
            KeyType node = KeyType.valueOf(params.getParam("nodeKey"));
            KeyType ca = KeyType.valueOf(params.getParam("caKey"));
            String benchmark = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            double score = result.getPrimaryResult().getScore();
            double reference = switch (benchmark) {
                case "parseAndVerify" -> openssl.verify(node);
                case "buildAndSign" -> openssl.sign(ca);
                default -> openssl.perCsr(node, ca);
            };
            out.append(String.format(Locale.ROOT, "%-8s %-9s %-9s %-15s %12.0f %12.0f %7.2f%n",
                    params.getParam("provider"), node, ca, benchmark, score, reference, score / reference));
        }
        out.append("openssl column: verify (node key) for parseAndVerify, sign (CA key) for buildAndSign, and for\n"
                + "perCsr the rate of verify(node) + sign(CA) + verify(CA), the primitives one CSR costs.\n");
        return out.toString();
    }

    private static String label(RunResult result) {
        var p = result.getParams();
        return p.getBenchmark() + p.getParam("nodeKey") + p.getParam("caKey") + p.getParam("provider");
    }
}
