package io.csrflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.bench.BenchmarkMaterial.KeyType;

/**
 * Keeps the benchmark working: every provider's setup (which issues and checks one certificate)
 * runs for each key pair, every part of the path runs once, and the options and statistics the
 * report rests on say what they should. Numbers are not asserted.
 */
class CryptoBenchmarkSmokeTest {
    @Test
    void everyProviderCompletesThePathForEveryKeyPair() throws Exception {
        for (String provider : new String[] {"BC", "JDK", "ACCP"}) {
            for (KeyType node : KeyType.values()) {
                for (KeyType ca : KeyType.values()) {
                    CsrCryptoBenchmark benchmark = new CsrCryptoBenchmark();
                    benchmark.provider = provider;
                    benchmark.nodeKey = node.name();
                    benchmark.caKey = ca.name();
                    benchmark.setUp();
                    assertTrue(benchmark.perCsr().getSerialNumber().signum() > 0);
                }
            }
        }
    }

    @Test
    void everyStepOfThePathRunsForEveryKeyPair() throws Exception {
        for (KeyType node : KeyType.values()) {
            CsrReadingPartsBenchmark reading = new CsrReadingPartsBenchmark();
            reading.provider = "ACCP";
            reading.nodeKey = node.name();
            reading.setUp();
            runEach(reading, BenchmarkOptions.READING_PARTS);
            for (KeyType ca : KeyType.values()) {
                IssuancePartsBenchmark issuance = new IssuancePartsBenchmark();
                issuance.provider = "ACCP";
                issuance.nodeKey = node.name();
                issuance.caKey = ca.name();
                issuance.setUp();
                runEach(issuance, BenchmarkOptions.ISSUANCE_PARTS);
                assertTrue(issuance.primitiveVerifyCa() && issuance.verifyCaWithCertificateKey());
            }
        }
    }

    private static void runEach(Object benchmark, List<String> names) throws Exception {
        for (String name : names) {
            Method step = benchmark.getClass().getMethod(name);
            assertNotNull(step.invoke(benchmark), name);
        }
    }

    @Test
    void opensslsPerCsrRateCombinesThePrimitives() {
        OpensslSpeed speed = new OpensslSpeed(Map.of(KeyType.EC_P256, new double[] {40_000, 10_000},
                KeyType.RSA_2048, new double[] {2_000, 40_000}), "OpenSSL test");
        // 1 / (1/10000 + 1/40000 + 1/10000) = 4444
        assertTrue(Math.abs(speed.perCsr(KeyType.EC_P256, KeyType.EC_P256) - 4444.4) < 1);
    }

    @Test
    void theOpensslReferenceIsEachFiguresMedianOverTheRuns() {
        OpensslSpeed before = new OpensslSpeed(Map.of(KeyType.EC_P256, new double[] {100, 10},
                KeyType.RSA_2048, new double[] {1, 1000}), "OpenSSL test");
        OpensslSpeed after = new OpensslSpeed(Map.of(KeyType.EC_P256, new double[] {300, 30},
                KeyType.RSA_2048, new double[] {3, 3000}), "OpenSSL test");
        OpensslSpeed median = OpensslSpeed.median(List.of(before, after));
        assertEquals(200, median.sign(KeyType.EC_P256));
        assertEquals(2000, median.verify(KeyType.RSA_2048));
    }

    @Test
    void medianAndQuartilesInterpolateBetweenRanks() {
        double[] scores = {5, 1, 4, 2, 3};
        assertEquals(3, Stats.median(scores));
        assertEquals(2, Stats.quantile(scores, 0.25));
        assertEquals(4, Stats.quantile(scores, 0.75));
        assertEquals(2.5, Stats.median(new double[] {1, 2, 3, 4}));
    }

    @Test
    void defaultsAreTheRobustMeasurementAndOnlyNamesBenchmarks() {
        BenchmarkOptions defaults = BenchmarkOptions.parse();
        assertEquals(3, defaults.forks());
        assertEquals(5, defaults.iterations());
        assertEquals(BenchmarkOptions.PATH, defaults.benchmarks());

        BenchmarkOptions accp = BenchmarkOptions.parse("--providers", "ACCP", "--only", "perCsr,parts");
        assertEquals(List.of("ACCP"), accp.providers());
        assertEquals(1 + BenchmarkOptions.PARTS.size(), accp.benchmarks().size());
        assertTrue("io.csrflow.bench.CsrCryptoBenchmark.perCsr".matches(accp.include()));
        assertTrue("io.csrflow.bench.IssuancePartsBenchmark.primitiveSignCa".matches(accp.include()));
        assertTrue("io.csrflow.bench.CsrReadingPartsBenchmark.pemDecode".matches(accp.include()));
        assertTrue(!"io.csrflow.bench.CsrCryptoBenchmark.buildAndSign".matches(accp.include()));

        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--only", "perCSR"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--forks", "0"));
    }
}
