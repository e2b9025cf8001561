package dev.bulwark.spring.app;

import dev.bulwark.memory.MemoryReading;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/** The switches of the fake remote services and the calls they received. */
@Component
public class FakeDependencies {
    public final AtomicBoolean inventoryDown = new AtomicBoolean();
    public final AtomicBoolean pricingDown = new AtomicBoolean();
    public final AtomicBoolean paymentsDown = new AtomicBoolean();
    public final AtomicInteger inventoryCalls = new AtomicInteger();
    public final AtomicInteger pricingCalls = new AtomicInteger();
    public final AtomicInteger catalogCalls = new AtomicInteger();
    public final AtomicInteger reportCalls = new AtomicInteger();
    /** What the infrastructure's memory monitor reads (ShopApplication installs it as its source). */
    public final AtomicReference<MemoryReading> heap = new AtomicReference<>(MemoryReading.ofOccupancy(0.3));
}
