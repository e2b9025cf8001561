package dev.bulwark.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FlatJsonProperties {

    @Property
    void stringsRoundTrip(@ForAll @Size(max = 8) Map<String, String> map) {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> expected.put(k.replace('\0', '\uFFFD'), v.replace('\0', '\uFFFD')));
        assertThat(FlatJson.parseStrings(FlatJson.write(map))).isEqualTo(expected);
    }

    @Property
    void longsAndDoublesRoundTrip(@ForAll @Size(max = 8) Map<String, Long> longs, @ForAll double d) {
        Map<String, Number> map = new java.util.LinkedHashMap<>();
        Map<String, Long> expected = new java.util.LinkedHashMap<>();
        longs.forEach((k, v) -> {
            String key = "k" + k.replace('\0', '\uFFFD');
            map.put(key, v);
            expected.put(key, v);
        });
        map.put("the double", d);
        Map<String, Number> read = FlatJson.parseNumbers(FlatJson.write(map));
        assertThat(read).containsAllEntriesOf(expected);
        assertThat(read.get("the double").doubleValue()).isEqualTo(d);
    }

    @Test
    void whatIsNotAFlatObjectIsRefusedNamingThePosition() {
        assertThatThrownBy(() -> FlatJson.parseStrings("{\"a\":{\"b\":1}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 5");
        assertThatThrownBy(() -> FlatJson.parseStrings("{\"a\":1} x")).hasMessageContaining("the end");
        assertThat(FlatJson.parseStrings(" { } ")).isEmpty();
    }
}
