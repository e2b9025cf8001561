/**
 * Memory pressure: {@link dev.bulwark.memory.MemoryMonitor} turns the heap's occupancy after
 * garbage collection into a {@link dev.bulwark.memory.MemoryPressure} level (NORMAL, ELEVATED,
 * CRITICAL, with hysteresis), which the pipeline's {@code shed} stage and the health reports act on.
 * docs/memory.md explains the readings, the levels and the shedding.
 */
package dev.bulwark.memory;
