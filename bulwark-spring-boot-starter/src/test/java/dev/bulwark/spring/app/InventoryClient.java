package dev.bulwark.spring.app;

import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Criticality;
import dev.bulwark.spring.Protected;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Service;

/** Stands for a remote inventory, pricing and payment service whose health the tests switch. */
@Service
public class InventoryClient {

    /** What the stock endpoint answers. */
    public record Stock(String sku, int available, String source) {
    }

    private final FakeDependencies fake;

    public InventoryClient(FakeDependencies fake) {
        this.fake = fake;
    }

    @Protected(value = "inventory", fallbackMethod = "stockFallback")
    public Stock stock(String sku) throws IOException {
        fake.inventoryCalls.incrementAndGet();
        if (fake.inventoryDown.get()) {
            throw new IOException("inventory service unreachable");
        }
        return new Stock(sku, 42, "inventory");
    }

    Stock stockFallback(String sku, InfraError error) {
        return new Stock(sku, 0, "fallback after " + error.code());
    }

    @Protected("prices")
    public CompletionStage<Integer> price(String sku) {
        fake.pricingCalls.incrementAndGet();
        if (fake.pricingDown.get()) {
            return CompletableFuture.failedFuture(new IOException("pricing service unreachable"));
        }
        return CompletableFuture.supplyAsync(() -> 1999);
    }

    @Protected("catalog")
    public String catalog(String page) throws IOException {
        fake.catalogCalls.incrementAndGet();
        throw new IOException("catalog service unreachable");
    }

    @Protected("payments")
    public String pay(String order) {
        if (fake.paymentsDown.get()) {
            throw new IllegalStateException("payment gateway unreachable");
        }
        return "paid " + order;
    }

    /** A report that may be dropped under memory pressure. */
    @Protected(value = "reports", criticality = Criticality.SHEDDABLE)
    public String report(String day) {
        fake.reportCalls.incrementAndGet();
        return "report " + day;
    }

    /** The same report, of default criticality: shed only at CRITICAL pressure. */
    @Protected("reports")
    public String urgentReport(String day) {
        fake.reportCalls.incrementAndGet();
        return "urgent report " + day;
    }
}
