package io.csrflow.scheduler.streams;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One memory budget for every RocksDB store of the process. By default each store instance
 * (three stores × every partition held) gets its own block cache and memtables, so memory grows
 * with the partition count and a pod with a fixed limit is killed after a rebalance hands it more
 * partitions. Here all stores share one cache, and memtables are charged to it.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** Streams config key: the total off-heap budget in bytes (block cache including memtables). */
    public static final String TOTAL_BYTES = "csrflow.rocksdb.memory.bytes";
    static final long DEFAULT_TOTAL = 128L << 20;
    /** Memtables may take up to this share of the budget; the rest caches blocks. */
    private static final double MEMTABLE_SHARE = 0.25;
    private static final long WRITE_BUFFER_BYTES = 4L << 20;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        shared(total(configs));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write-buffer manager are shared by every store; they live as long as the process.
    }

    private static synchronized void shared(long total) {
        if (cache == null) {
            cache = new LRUCache(total, -1, false, 0.1);
            writeBuffers = new WriteBufferManager((long) (total * MEMTABLE_SHARE), cache);
        }
    }

    private static long total(Map<String, Object> configs) {
        Object value = configs.get(TOTAL_BYTES);
        if (value == null) {
            return DEFAULT_TOTAL;
        }
        long bytes = Long.parseLong(value.toString().trim());
        if (bytes < (16L << 20)) {
            throw new IllegalArgumentException(TOTAL_BYTES + " must be at least 16 MiB, got " + bytes);
        }
        return bytes;
    }
}
