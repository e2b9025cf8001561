/**
 * How modules and pipeline stages plug into Bulwark: {@link dev.bulwark.spi.BulwarkModule} and
 * the {@link dev.bulwark.spi.ModuleContext} it is installed with; the stage SPI of the protection
 * pipeline ({@link dev.bulwark.spi.StageSpec}, {@link dev.bulwark.spi.Stage},
 * {@link dev.bulwark.spi.Slot}); typed status ({@link dev.bulwark.spi.ComponentStatus}) and
 * registry listeners. docs/architecture.md walks through all of it.
 */
package dev.bulwark.spi;
