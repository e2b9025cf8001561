package dev.bulwark.demo;

import dev.bulwark.Infrastructure;
import dev.bulwark.spi.BulwarkModule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the README's quick start talks to, recording what it did ({@link ReadmeQuickStartTest}). */
public final class ReadmeFakes {
    public record User(String name) {
    }

    public record Stock(int units) {
    }

    /** The database of the README's breaker example. */
    public final class Database {
        public List<User> query(String sql) {
            queries.add(sql);
            return List.of(new User("ada"));
        }
    }

    /** The inventory client of the README's protection example. */
    public final class Inventory {
        public Stock stock(String sku) {
            stockLookups.add(sku);
            return new Stock(7);
        }
    }

    /** The HTTP response the README's handlers write to. */
    public final class Response {
        public void setHeader(String name, String value) {
            headers.put(name, value);
        }

        public void setStatus(int code) {
            status = code;
        }
    }

    public final List<String> queries = new ArrayList<>();
    public final List<String> stockLookups = new ArrayList<>();
    public final Map<String, String> headers = new HashMap<>();
    public int status = 200;
    public final Database database = new Database();
    public final Inventory inventory = new Inventory();
    public final Response response = new Response();
    public final String userId = "user:123";
    public final String sku = "sku-42";
    /** Modules the README's {@code Infrastructure.builder()} gets, to set up a scenario. */
    public final List<BulwarkModule> modules = new ArrayList<>();

    public Infrastructure.Builder builder() {
        Infrastructure.Builder b = Infrastructure.builder();
        modules.forEach(b::install);
        return b;
    }
}
