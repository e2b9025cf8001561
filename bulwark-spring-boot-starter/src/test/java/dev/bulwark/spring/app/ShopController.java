package dev.bulwark.spring.app;

import java.io.IOException;
import java.util.concurrent.CompletionStage;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ShopController {

    private final InventoryClient client;

    ShopController(InventoryClient client) {
        this.client = client;
    }

    @GetMapping("/api/stock/{sku}")
    InventoryClient.Stock stock(@PathVariable String sku) throws IOException {
        return client.stock(sku);
    }

    @GetMapping("/api/price/{sku}")
    CompletionStage<Integer> price(@PathVariable String sku) {
        return client.price(sku);
    }

    @PostMapping("/api/pay/{order}")
    String pay(@PathVariable String order) {
        return client.pay(order);
    }
}
