package dev.bulwark.example;

import dev.bulwark.error.InfraError;
import dev.bulwark.spring.Protected;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Service;

/** The remote inventory as the shop sees it: one protected call, one fallback. */
@Service
public class Inventory {

    /** What the shop answers about a product. */
    public record Stock(String sku, int available, String source) {
    }

    private final AtomicBoolean down = new AtomicBoolean();

    @Protected(value = "inventory", fallbackMethod = "unknownStock")
    public Stock stock(String sku) throws IOException {
        if (down.get()) {
            throw new IOException("inventory service unreachable");
        }
        return new Stock(sku, 42, "inventory");
    }

    Stock unknownStock(String sku, InfraError error) {
        return new Stock(sku, 0, "fallback (" + error.code() + " " + error.type().name() + ")");
    }

    /** The chaos switch of the simulated dependency. */
    public void setDown(boolean down) {
        this.down.set(down);
    }
}
