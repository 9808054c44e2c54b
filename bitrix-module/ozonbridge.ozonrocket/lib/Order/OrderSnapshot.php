<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Order;

/** A shipment and its order, read once from Bitrix; the mappers build bridge requests from it. */
final class OrderSnapshot
{
    /**
     * @param list<ItemLine> $lines
     */
    public function __construct(
        public readonly int $orderId,
        public readonly int $shipmentId,
        public readonly int $deliveryId,
        public readonly string $currency,
        public readonly float $weightGrams,
        public readonly array $lines,
        public readonly Address $address,
        public readonly string $pickupPointId,
        public readonly string $recipientName,
        public readonly string $phone,
        public readonly string $email,
        public readonly string $paymentMethod,
        public readonly int $paidKopecks,
        // What the buyer pays for delivery: the bridge needs it to settle a partial acceptance.
        public readonly ?int $deliveryPriceKopecks = null,
    ) {
    }

    public function declaredKopecks(): int
    {
        $sum = 0;
        foreach ($this->lines as $line) {
            $sum += (int) round($line->priceKopecks * $line->quantity);
        }

        return $sum;
    }
}
