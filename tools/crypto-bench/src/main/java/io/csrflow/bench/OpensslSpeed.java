package io.csrflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.csrflow.bench.BenchmarkMaterial.KeyType;

/**
 * {@code openssl speed} for ECDSA P-256 and RSA-2048 on this machine, one core: signs and verifies
 * per second of user CPU time (openssl's default divisor; {@code -elapsed} would divide by wall time).
 */
record OpensslSpeed(Map<KeyType, double[]> signVerify, String version) {

    static OpensslSpeed measure(int seconds) {
        try {
            Process process = new ProcessBuilder("openssl", "speed", "-seconds", Integer.toString(seconds), "-mr",
                    "ecdsap256", "rsa2048").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            process.waitFor(120, TimeUnit.SECONDS);
            Map<KeyType, double[]> rates = new EnumMap<>(KeyType.class);
            for (String line : out.split("\n")) {
                // +F2:<n>:2048:<sign/s>:<verify/s> (RSA), +F4:<n>:256:<sign/s>:<verify/s> (ECDSA)
                String[] f = line.split(":");
                if (line.startsWith("+F2:") && f[2].equals("2048")) {
                    rates.put(KeyType.RSA_2048, new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4])});
                } else if (line.startsWith("+F4:") && f[2].equals("256")) {
                    rates.put(KeyType.EC_P256, new double[] {Double.parseDouble(f[3]), Double.parseDouble(f[4])});
                }
            }
            if (rates.size() != 2) {
                throw new IllegalStateException("openssl speed printed no ECDSA P-256 or RSA-2048 figures: " + out);
            }
            Process v = new ProcessBuilder("openssl", "version").start();
            String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return new OpensslSpeed(rates, version);
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed for the comparison", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each figure's median over several runs (before and after the benchmark), as the reference. */
    static OpensslSpeed median(List<OpensslSpeed> runs) {
        Map<KeyType, double[]> rates = new EnumMap<>(KeyType.class);
        for (KeyType type : KeyType.values()) {
            double[] signs = runs.stream().mapToDouble(r -> r.sign(type)).toArray();
            double[] verifies = runs.stream().mapToDouble(r -> r.verify(type)).toArray();
            rates.put(type, new double[] {Stats.median(signs), Stats.median(verifies)});
        }
        return new OpensslSpeed(rates, runs.get(0).version());
    }

    /** How far apart the runs are for each figure, (max − min) / median, to judge the reference's noise. */
    static List<String> spread(List<OpensslSpeed> runs) {
        List<String> lines = new ArrayList<>();
        OpensslSpeed median = median(runs);
        for (KeyType type : KeyType.values()) {
            double[] signs = runs.stream().mapToDouble(r -> r.sign(type)).toArray();
            double[] verifies = runs.stream().mapToDouble(r -> r.verify(type)).toArray();
            lines.add(String.format(java.util.Locale.ROOT, "%-9s sign %s  verify %s", type, figures(signs,
                    median.sign(type)), figures(verifies, median.verify(type))));
        }
        return lines;
    }

    private static String figures(double[] values, double median) {
        double spread = (Arrays.stream(values).max().orElseThrow() - Arrays.stream(values).min().orElseThrow())
                / median;
        StringBuilder out = new StringBuilder();
        for (double value : values) {
            out.append(String.format(java.util.Locale.ROOT, "%8.0f", value));
        }
        return out.append(String.format(java.util.Locale.ROOT, " (median %.0f, spread %.0f%%)", median,
                100 * spread)).toString();
    }

    double sign(KeyType type) {
        return signVerify.get(type)[0];
    }

    double verify(KeyType type) {
        return signVerify.get(type)[1];
    }

    /**
     * OpenSSL's rate for the same primitives as one CSR in csrflow: verify the CSR (node key), sign
     * the certificate (CA key), verify it (CA key).
     */
    double perCsr(KeyType node, KeyType ca) {
        return 1 / (1 / verify(node) + 1 / sign(ca) + 1 / verify(ca));
    }
}
