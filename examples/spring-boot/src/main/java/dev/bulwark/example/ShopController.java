package dev.bulwark.example;

import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ShopController {

    private final Inventory inventory;

    ShopController(Inventory inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/api/stock/{sku}")
    Inventory.Stock stock(@PathVariable String sku) throws IOException {
        return inventory.stock(sku);
    }

    @PostMapping("/chaos/inventory/{state}")
    String chaos(@PathVariable String state) {
        inventory.setDown(state.equals("down"));
        return "inventory is " + (state.equals("down") ? "down" : "up") + "\n";
    }
}
