package io.csrflow.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.bench.BenchmarkMaterial.KeyType;

/**
 * Keeps the benchmark working: every provider's setup (which issues and checks one certificate)
 * runs for each key pair, and the report prints a row per result. Numbers are not asserted.
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
    void opensslsPerCsrRateCombinesThePrimitives() {
        OpensslSpeed speed = new OpensslSpeed(Map.of(KeyType.EC_P256, new double[] {40_000, 10_000},
                KeyType.RSA_2048, new double[] {2_000, 40_000}), "OpenSSL test");
        // 1 / (1/10000 + 1/40000 + 1/10000) = 4444
        assertTrue(Math.abs(speed.perCsr(KeyType.EC_P256, KeyType.EC_P256) - 4444.4) < 1);
    }
}
