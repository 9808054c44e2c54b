<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** One priced delivery option of a calculate answer (`options[]` or `selected`). */
final class Quote
{
    public function __construct(
        public readonly string $optionId,
        public readonly ?string $deliveryType,
        public readonly string $tariff,
        public readonly int $priceKopecks,
        public readonly ?int $daysMin,
        public readonly ?int $daysMax,
        public readonly string $description = '',
    ) {
    }
}
