<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** POST /api/v1/calculate → 200. */
final class CalculateAnswer
{
    /** @param list<Quote> $options */
    public function __construct(
        public readonly array $options,
        public readonly ?Quote $selected,
        public readonly bool $cached,
        public readonly bool $fallback,
    ) {
    }
}
