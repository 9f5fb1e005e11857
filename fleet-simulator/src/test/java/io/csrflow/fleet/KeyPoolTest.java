package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The keys made ahead: each handed out once, and an empty pool still hands out fresh keys. */
class KeyPoolTest {
    @Test
    void everyKeyIsHandedOutOnceEvenBeyondThePoolsCapacity() {
        Set<String> publicKeys = new HashSet<>();
        try (KeyPool pool = new KeyPool("test", 4, KeyMaterial::ecP256)) {
            for (int i = 0; i < 20; i++) {
                KeyMaterial key = pool.take();
                assertEquals("EC", key.algorithm());
                publicKeys.add(java.util.HexFormat.of().formatHex(key.keys().getPublic().getEncoded()));
            }
        }
        assertEquals(20, publicKeys.size());
    }
}
