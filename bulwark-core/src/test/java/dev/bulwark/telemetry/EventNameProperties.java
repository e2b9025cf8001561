package dev.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class EventNameProperties {

    @Property
    void dottedFormRoundTripsAndAnyNameStartsWithEachOfItsPrefixes(
            @ForAll @Size(min = 1, max = 6) List<@AlphaChars @StringLength(min = 1, max = 8) String> segments) {
        EventName name = EventName.of(segments.toArray(new String[0]));
        EventName parsed = EventName.parse(name.toString());

        assertThat(parsed).isEqualTo(name).hasSameHashCodeAs(name);
        assertThat(parsed.segments()).isEqualTo(segments);
        for (int i = 1; i <= segments.size(); i++) {
            assertThat(name.startsWith(EventName.of(segments.subList(0, i).toArray(new String[0])))).isTrue();
        }
        assertThat(name.startsWith(name.append("more"))).isFalse();
    }
}
