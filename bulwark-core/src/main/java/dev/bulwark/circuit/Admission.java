package dev.bulwark.circuit;

/**
 * What a breaker answers when asked to admit a call: the {@link Phase} that admitted it (its
 * outcome is reported back to that phase), or a {@link Rejection}. Both are pre-built, so asking
 * allocates nothing.
 */
abstract sealed class Admission permits Phase, Rejection {
}
