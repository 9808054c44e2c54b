<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Order;

/** One basket line of a shipment: what Ozon needs to know about the goods. */
final class ItemLine
{
    /**
     * @param array{length: float, width: float, height: float}|null $dimensions millimetres, one unit
     */
    public function __construct(
        public readonly int $basketId,
        public readonly int $productId,
        public readonly string $sku,
        public readonly string $name,
        public readonly float $quantity,
        public readonly int $priceKopecks,
        public readonly float $unitWeightGrams,
        public readonly ?array $dimensions,
    ) {
    }
}
