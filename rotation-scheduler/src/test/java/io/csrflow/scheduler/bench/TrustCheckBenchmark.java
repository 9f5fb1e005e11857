package io.csrflow.scheduler.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.pki.CryptoProviders;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SignerNames;
import io.csrflow.scheduler.inventory.CertificateTrust;
import io.csrflow.scheduler.streams.TestCertificates;

/**
 * The trust check of a certificate as the scheduler makes it, measured and printed (never asserted
 * against a time): each certificate checked twice, as it arrives on {@code cert.issued} and then on
 * the CSR's Issued snapshot, with verified signatures remembered (the service) and with every
 * signature verified (as before; the reference: the same class remembering none), alternating in
 * one run, with the provider the service picks by default; for a bundle of one CA and for one in
 * the middle of a CA rotation. Thread CPU time per certificate, median and range over the rounds.
 * {@code -Dscheduler.benchmark.trust.certificates} and {@code .rounds} make it longer.
 */
class TrustCheckBenchmark {
    static final int CERTIFICATES = Integer.getInteger("scheduler.benchmark.trust.certificates", 1_000);
    static final int ROUNDS = Integer.getInteger("scheduler.benchmark.trust.rounds", 5);
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void bothSightingsOfEachCertificate(@TempDir Path dir) throws Exception {
        Provider provider = CryptoProviders.named(CryptoProviders.AUTO, "scheduler.benchmark.trust.provider");
        Path bundle = TestCertificates.writeTrustBundle(dir.resolve("trust"));
        Path rotation = TestCertificates.writeRotationTrustBundle(dir.resolve("rotation"));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<X509Certificate> certificates = new ArrayList<>(CERTIFICATES);
        List<String> pems = new ArrayList<>(CERTIFICATES);
        for (int i = 0; i < CERTIFICATES; i++) {
            X509Certificate c = TestCertificates.certificate("system:node:bench-" + i, Integer.toHexString(i + 1), t0,
                    t0.plusSeconds(86_400));
            certificates.add(c);
            pems.add(Pem.of(c));
        }

        double[] remembered = new double[ROUNDS];
        double[] everyTime = new double[ROUNDS];
        double[] rotationRemembered = new double[ROUNDS];
        double[] rotationEveryTime = new double[ROUNDS];
        double[] reading = new double[ROUNDS];
        for (int round = -2; round < ROUNDS; round++) {
            // Two rounds of warm-up first. A new trust per round: each starts with nothing remembered,
            // as for newly issued certificates.
            int at = Math.max(round, 0);
            remembered[at] = bothSightings(CertificateTrust.fromDirectory(bundle, provider), certificates);
            everyTime[at] = bothSightings(CertificateTrust.fromDirectory(bundle, provider, 0), certificates);
            rotationRemembered[at] = bothSightings(CertificateTrust.fromDirectory(rotation, provider), certificates);
            rotationEveryTime[at] = bothSightings(CertificateTrust.fromDirectory(rotation, provider, 0), certificates);
            reading[at] = read(pems);
        }

        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "provider %s, %,d certificates (EC P-256 CA), %d rounds; CPU µs per "
                + "certificate, median (min-max)", provider.getName(), CERTIFICATES, ROUNDS));
        report.add("one CA in the signer's file:");
        report.add("  trust check on both sightings, every signature verified (before): " + summary(everyTime));
        report.add("  trust check on both sightings, verified signatures remembered:    " + summary(remembered));
        report.add(String.format(Locale.ROOT, "  ratio remembered / every time: %.2f", median(remembered) / median(everyTime)));
        report.add("a CA rotation: the next CA (same name, another key) listed ahead of the one that signed:");
        report.add("  trust check on both sightings, every signature verified (before): " + summary(rotationEveryTime));
        report.add("  trust check on both sightings, verified signatures remembered:    " + summary(rotationRemembered));
        report.add(String.format(Locale.ROOT, "  ratio remembered / every time: %.2f",
                median(rotationRemembered) / median(rotationEveryTime)));
        report.add("for scale, reading one certificate from PEM:                       " + summary(reading));
        Path out = Path.of("target", "trust-check-benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        System.out.println("\n=== rotation-scheduler trust check benchmark ===\n" + String.join("\n", report) + "\n");
    }

    /** CPU µs per certificate for checking each one twice, as its two sightings. */
    private static double bothSightings(CertificateTrust trust, List<X509Certificate> certificates) {
        long start = THREADS.getCurrentThreadCpuTime();
        for (X509Certificate c : certificates) {
            trust.check(SignerNames.KUBELET_CLIENT, c);
            trust.check(SignerNames.KUBELET_CLIENT, c);
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / certificates.size();
    }

    private static double read(List<String> pems) {
        long start = THREADS.getCurrentThreadCpuTime();
        long serials = 0;
        for (String pem : pems) {
            serials += Pem.firstCertificate(pem).getSerialNumber().bitLength();
        }
        if (serials == 0) {
            throw new IllegalStateException("nothing read");
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / pems.size();
    }

    private static String summary(double[] values) {
        return String.format(Locale.ROOT, "%7.1f (%.1f-%.1f)", median(values), Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
