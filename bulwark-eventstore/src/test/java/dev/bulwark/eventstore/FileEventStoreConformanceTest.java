package dev.bulwark.eventstore;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite on the file store, with small segments so that queries cross segments and blocks. */
class FileEventStoreConformanceTest extends EventStoreConformanceTest {

    @TempDir
    Path dir;

    @Override
    protected EventStore open() {
        return FileEventStore.builder(dir).segmentBytes(64 * 1024).indexEvery(16).fsync(FsyncPolicy.never()).build();
    }

    @Override
    protected EventStore reopen() {
        return open();
    }
}
