package dev.bulwark.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * A shop service whose inventory is a flaky remote dependency, protected by Bulwark through the
 * Spring Boot starter: {@code @Protected("inventory")} with a fallback method, a retry and a breaker
 * configured in {@code application.yaml}, a per-caller rate limit on {@code /api/*}, readiness
 * health and the {@code bulwark} actuator endpoint. Run it and follow the printed commands.
 */
@SpringBootApplication
public class ShopExample {

    public static void main(String[] args) {
        SpringApplication.run(ShopExample.class, args);
    }

    @EventListener(ApplicationReadyEvent.class)
    void printGuide(ApplicationReadyEvent event) {
        Environment env = event.getApplicationContext().getEnvironment();
        String base = "http://localhost:" + env.getProperty("local.server.port", "8080");
        System.out.println("""

                Bulwark example is up. Try, in another terminal:
                  curl -i %1$s/api/stock/sku-1                        # 200 from the inventory (RateLimit headers)
                  curl -X POST %1$s/chaos/inventory/down              # the inventory starts failing
                  curl %1$s/api/stock/sku-1                           # retried 3 times, then the fallback answers
                  curl %1$s/api/stock/sku-1                           # the breaker is open: fallback at once
                  curl -i %1$s/actuator/health/readiness              # DEGRADED (HTTP 200) while it is open
                  curl -i %1$s/actuator/health/liveness               # UP: liveness never depends on the inventory
                  curl %1$s/actuator/bulwark                          # breakers, protections, rate limits
                  curl -X POST %1$s/chaos/inventory/up                # healthy again; the breaker closes after 30 s
                  for i in $(seq 1 12); do curl -s -o /dev/null -w '%%{http_code} ' -H 'X-Api-Key: demo' %1$s/api/stock/a; done
                                                                      # 10 per minute per API key, then 429
                """.formatted(base));
    }
}
