<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** A shipment as the bridge reads it (the fields the module uses). */
final class ShipmentAnswer
{
    public function __construct(
        public readonly string $id,
        public readonly int $bitrixOrderId,
        public readonly int $bitrixShipmentId,
        public readonly ?string $ozonOrderId,
        public readonly ?string $trackingNumber,
        public readonly string $status,
        public readonly ?string $lastError,
        public readonly bool $created = false,
    ) {
    }
}
